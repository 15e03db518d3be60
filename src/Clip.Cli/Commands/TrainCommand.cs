using System.CommandLine;
using System.Globalization;
using Clip.Cli.Inference;
using Clip.Modeling;
using Clip.Text;
using Clip.Training;
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
        var data = new Option<string>("--data")
        {
            Description = "Captioned dataset: a CSV (with header) or JSON Lines file with an image path and a caption per row; paths are relative to the file.",
            Required = true,
        };
        var imageColumn = new Option<string>("--image-column") { Description = "Column of the image path.", DefaultValueFactory = _ => "image" };
        var captionColumn = new Option<string>("--caption-column") { Description = "Column of the caption; several rows may caption one image.", DefaultValueFactory = _ => "caption" };
        var output = new Option<string>("--output", "-o") { Description = "Folder to save the trained model to (loadable with ClipModel.FromPretrained).", Required = true };
        var preset = new Option<string>("--preset") { Description = $"Architecture to train from scratch: one of {string.Join(", ", ClipPresets.Names)}.", DefaultValueFactory = _ => ClipPresets.ResNetTiny };
        var from = new Option<string?>("--from") { Description = "Saved model to fine-tune instead of a preset trained from scratch." };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 400 };
        var batchSize = new Option<int>("--batch-size") { Description = "Image-caption pairs per step.", DefaultValueFactory = _ => 128 };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate of AdamW (linear warm-up, then cosine decay).", DefaultValueFactory = _ => 1e-3 };

        var command = new Command("train", "Train a CLIP model on image-caption pairs.")
        {
            data, imageColumn, captionColumn, output, preset, from, steps, batchSize, learningRate,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(parseResult, cancellationToken)));
        return command;

        int Run(ParseResult parseResult, CancellationToken cancellationToken)
        {
            var context = new CommandContext(parseResult, options, console);
            TorchSharp.torch.Device device = TorchSettings.Apply(context);
            string dataPath = context.Get(data)!;
            List<TrainingExample> examples = ReadExamples(dataPath, context.Get(imageColumn)!, context.Get(captionColumn)!);
            int stepCount = context.Get(steps);
            if (stepCount <= 0 || context.Get(batchSize) < 2)
            {
                throw new CliException("--steps must be positive and --batch-size at least 2.");
            }

            ClipModel model = context.Get(from) is { } source
                ? LoadedModel.Load(source, device).Model
                : ClipModel.Create(PresetOrError(context.Get(preset)!), device);
            using (model)
            {
                model.train();
                var trainingOptions = new TrainingOptions
                {
                    BatchSize = Math.Min(context.Get(batchSize), examples.Count),
                    Epochs = stepCount,
                    MaxSteps = stepCount,
                    LearningRate = context.Get(learningRate),
                    WarmupSteps = Math.Max(1, stepCount / 20),
                    Seed = context.Seed ?? 0,
                };
                var progress = new SynchronousProgress<TrainingProgress>(report =>
                {
                    if (!context.Json && (report.Step % 10 == 0 || report.Step == report.TotalSteps))
                    {
                        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {report.Step}/{report.TotalSteps}  loss {report.Loss:F3}  lr {report.LearningRate:G3}  logit scale {report.LogitScale:F1}  {report.SamplesPerSecond:F1} pairs/s"));
                    }
                });
                TrainingResult result = model.Train(ClipTokenizer.CreateDefault(), new TrainingDataset(examples), trainingOptions, progress: progress, cancellationToken: cancellationToken);
                model.SavePretrained(context.Get(output)!);

                string summary = string.Create(CultureInfo.InvariantCulture, $"Trained {result.Steps} steps on {examples.Count} images in {result.Elapsed.TotalMinutes:F1} min; saved to {context.Get(output)}.");
                if (context.Json)
                {
                    console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(
                        new { steps = result.Steps, images = examples.Count, seconds = result.Elapsed.TotalSeconds, finalLoss = result.History.LastOrDefault()?.Loss, output = context.Get(output) },
                        Output.JsonOutput.Options));
                }
                else
                {
                    console.WriteLine(summary);
                }
            }

            return 0;
        }
    }

    private static ClipConfig PresetOrError(string name)
    {
        try
        {
            return ClipPresets.Get(name);
        }
        catch (ArgumentException exception)
        {
            throw new CliException($"--preset '{name}' is invalid: use one of {string.Join(", ", ClipPresets.Names)}.", innerException: exception);
        }
    }

    /// <summary>Groups the rows by image, so each image is one example with all its captions.</summary>
    private static List<TrainingExample> ReadExamples(string path, string imageColumn, string captionColumn)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var captions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (IReadOnlyDictionary<string, string> row in TabularFile.Read(path))
        {
            string image = Path.GetFullPath(Path.Combine(folder, TabularFile.Field(row, imageColumn, path)));
            if (!captions.TryGetValue(image, out List<string>? list))
            {
                list = [];
                captions[image] = list;
            }

            list.Add(TabularFile.Field(row, captionColumn, path));
        }

        if (captions.Count < 2)
        {
            throw new CliException($"'{path}' has {captions.Count} images; training needs at least 2.");
        }

        return captions.Select(pair => TrainingExample.FromFile(pair.Key, pair.Value)).ToList();
    }
}
