using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip embed</c>: writes image or text embeddings to a file.</summary>
public static class EmbedCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Folder of a saved model.", Required = true };
        var images = new Option<string[]>("--images") { Description = "Image files or folders to embed.", AllowMultipleArgumentsPerToken = true };
        var texts = new Option<string[]>("--texts") { Description = "Texts to embed.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Output file: .npy for a float32 [N, E] matrix, .jsonl for one {\"id\", \"embedding\"} object per line.",
            Required = true,
        };

        var command = new Command("embed", "Embed images or texts into the model's shared space and write them to a file.") { model, images, texts, output };
        command.Validators.Add(result =>
        {
            bool hasImages = result.GetValue(images) is { Length: > 0 };
            bool hasTexts = result.GetValue(texts) is { Length: > 0 };
            if (hasImages == hasTexts)
            {
                result.AddError("Give either --images or --texts, not both and not neither.");
            }
        });
        command.SetAction(int (parseResult) =>
        {
            _ = new CommandContext(parseResult, options, console);
            throw PendingFeature.Error("embed");
        });
        return command;
    }
}
