using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary>The evaluation protocols of <c>clip eval</c>.</summary>
public enum EvaluationTask
{
    /// <summary>Zero-shot classification with prompt templates.</summary>
    ZeroShot,

    /// <summary>Logistic regression on frozen image embeddings.</summary>
    LinearProbe,

    /// <summary>Image-to-text and text-to-image retrieval recall.</summary>
    Retrieval,
}

/// <summary><c>clip eval</c>: evaluates a model on a labelled or captioned dataset.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Folder of a saved model.", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "Dataset: a CSV or JSON Lines file with an image path and a label or caption per row.", Required = true };
        var task = new Option<EvaluationTask>("--task") { Description = "Evaluation protocol.", DefaultValueFactory = _ => EvaluationTask.ZeroShot };
        var labelColumn = new Option<string>("--label-column") { Description = "Column holding the class label or caption.", DefaultValueFactory = _ => "label" };

        var command = new Command("eval", "Evaluate a model: zero-shot accuracy, linear probe or retrieval recall.") { model, data, task, labelColumn };
        command.SetAction(int (parseResult) =>
        {
            _ = new CommandContext(parseResult, options, console);
            throw PendingFeature.Error("eval");
        });
        return command;
    }
}
