using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip train</c>: trains a CLIP model on a captioned dataset.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var data = new Option<FileInfo>("--data")
        {
            Description = "Captioned dataset: a CSV or JSON Lines file with an image path and a caption per row.",
            Required = true,
        };
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Folder to save the trained model to (loadable with ClipModel.FromPretrained).",
            Required = true,
        };
        var preset = new Option<string>("--preset")
        {
            Description = "Architecture preset to train from scratch (see 'clip info --presets').",
        };
        var steps = new Option<int>("--steps") { Description = "Number of optimiser steps.", DefaultValueFactory = _ => 400 };
        var batchSize = new Option<int>("--batch-size") { Description = "Image-caption pairs per step.", DefaultValueFactory = _ => 128 };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate of AdamW (cosine schedule with warm-up).", DefaultValueFactory = _ => 1e-3 };

        var command = new Command("train", "Train a CLIP model on image-caption pairs.") { data, output, preset, steps, batchSize, learningRate };
        command.SetAction(int (parseResult) =>
        {
            _ = new CommandContext(parseResult, options, console);
            throw PendingFeature.Error("train");
        });
        return command;
    }
}
