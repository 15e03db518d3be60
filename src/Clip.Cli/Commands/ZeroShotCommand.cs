using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip zero-shot</c>: classifies images among text labels.</summary>
public static class ZeroShotCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var images = new Argument<FileInfo[]>("images") { Description = "Image files to classify.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Folder of a saved model.", Required = true };
        var labels = new Option<string[]>("--labels", "-l")
        {
            Description = "Candidate labels (repeat the option or separate with spaces).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var templates = new Option<string[]>("--template", "-t")
        {
            Description = "Prompt templates with {} where the label goes (repeat for an ensemble). Default: \"a photo of a {}.\"",
        };
        var topK = new Option<int>("--top", "-k") { Description = "Number of best labels to show per image.", DefaultValueFactory = _ => 5 };

        var command = new Command("zero-shot", "Classify images among labels the model was not trained on, through prompt embeddings.")
        {
            images, model, labels, templates, topK,
        };
        command.SetAction(int (parseResult) =>
        {
            _ = new CommandContext(parseResult, options, console);
            throw PendingFeature.Error("zero-shot");
        });
        return command;
    }
}
