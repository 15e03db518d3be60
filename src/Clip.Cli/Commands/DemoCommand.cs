using System.CommandLine;
using System.Globalization;
using Clip.Cli.Demo;
using Clip.Cli.Emoji;
using Clip.Training;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip demo</c>: end-to-end demos on real data.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command and its <c>emoji</c> subcommand.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var command = new Command("demo", "Run an end-to-end demo on real data.");
        command.Subcommands.Add(CreateEmoji(options, console));
        return command;
    }

    private static Command CreateEmoji(GlobalOptions options, IAnsiConsole console)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Folder for the model, results.json, report.md and the pictures.",
            DefaultValueFactory = _ => Path.Combine("runs", "emoji-demo"),
        };
        var data = new Option<string>("--data") { Description = "Emoji dataset folder (prepared when missing).", DefaultValueFactory = _ => Path.Combine("data", "emoji") };
        var cache = new Option<string>("--cache") { Description = "Folder for the downloaded npm tarballs.", DefaultValueFactory = _ => Path.Combine(".cache", "npm") };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => EmojiDemoOptions.DefaultSteps };
        var batchSize = new Option<int>("--batch-size") { Description = "Image-caption pairs per step.", DefaultValueFactory = _ => EmojiDemoOptions.DefaultBatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => EmojiDemoOptions.DefaultLearningRate };
        var timeLimit = new Option<double>("--train-minutes")
        {
            Description = "Stop training after this many minutes even if steps remain (0 for no limit).",
            DefaultValueFactory = _ => EmojiDemoOptions.DefaultTrainingTimeLimit.TotalMinutes,
        };
        var maxBaseEmoji = new Option<int?>("--max-base-emoji") { Description = "Use only this many base emoji, for a quick trial." };
        var styleAugmentation = new Option<bool>("--style-augmentation") { Description = "Add colour jitter and random greyscale to the training images, against the style shift." };
        var npm = new Option<string?>("--npm") { Description = "The npm executable to run (default: npm from PATH)." };

        var command = new Command(
            "emoji",
            "Train a small CLIP on Google-style emoji of seen labels, then classify seen and unseen emoji in both styles zero-shot and write a report.")
        {
            output, data, cache, steps, batchSize, learningRate, timeLimit, maxBaseEmoji, styleAugmentation, npm,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CommandContext(parseResult, options, console);
            TorchSettings.Apply(context);
            var demoOptions = new EmojiDemoOptions(context.Get(output)!, context.Get(data)!, context.Get(cache)!)
            {
                Steps = RequirePositive(context.Get(steps), "--steps"),
                BatchSize = RequirePositive(context.Get(batchSize), "--batch-size"),
                LearningRate = context.Get(learningRate),
                Seed = context.Seed ?? 0,
                MaxBaseEmoji = context.Get(maxBaseEmoji),
                StyleAugmentation = context.Get(styleAugmentation),
                TrainingTimeLimit = context.Get(timeLimit) switch
                {
                    0 => null,
                    > 0 and var minutes => TimeSpan.FromMinutes(minutes),
                    var minutes => throw new CliException($"--train-minutes {minutes} is invalid: give a positive number, or 0 for no limit."),
                },
            };
            var demo = new EmojiDemo(demoOptions, new NpmClient(context.Get(npm)));

            EmojiDemoResult result = context.Json
                ? await demo.RunAsync(cancellationToken: cancellationToken).ConfigureAwait(false)
                : console.Profile.Capabilities.Interactive
                    ? await RunWithProgressAsync(demo, console, cancellationToken).ConfigureAwait(false)
                    : await RunWithLogLinesAsync(demo, console, cancellationToken).ConfigureAwait(false);

            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(File.ReadAllText(Path.Combine(demoOptions.OutputDirectory, DemoReport.ResultsFileName)));
            }
            else
            {
                WriteScores(console, result);
            }

            return 0;
        });
        return command;
    }

    private static int RequirePositive(int value, string option) =>
        value > 0 ? value : throw new CliException($"{option} {value} is invalid: give a positive number.");

    private static async Task<EmojiDemoResult> RunWithProgressAsync(EmojiDemo demo, IAnsiConsole console, CancellationToken cancellationToken)
    {
        EmojiDemoResult? result = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                ProgressTask? current = null;
                var stages = new SynchronousProgress<string>(name =>
                {
                    if (current is not null)
                    {
                        current.Value = current.MaxValue;
                    }

                    current = progressContext.AddTask(Markup.Escape(name));
                });
                var dataProgress = new SynchronousProgress<EmojiPreparationProgress>(report =>
                {
                    if (current is not null)
                    {
                        current.Description = Markup.Escape(report.Description);
                        current.MaxValue = Math.Max(1, report.Total);
                        current.Value = report.Completed;
                    }
                });
                var trainingProgress = new SynchronousProgress<TrainingProgress>(report =>
                {
                    if (current is not null)
                    {
                        current.Description = string.Create(CultureInfo.InvariantCulture, $"Training: step {report.Step}/{report.TotalSteps}, loss {report.Loss:F3}, lr {report.LearningRate:G2}, scale {report.LogitScale:F1}");
                        current.MaxValue = report.TotalSteps;
                        current.Value = report.Step;
                    }
                });
                result = await Task.Run(() => demo.RunAsync(dataProgress, trainingProgress, stages, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (current is not null)
                {
                    current.Value = current.MaxValue;
                }
            }).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Prints one line per stage and every tenth training step, for logs and redirected output.</summary>
    private static Task<EmojiDemoResult> RunWithLogLinesAsync(EmojiDemo demo, IAnsiConsole console, CancellationToken cancellationToken)
    {
        const int StepsPerLine = 10;
        var stages = new SynchronousProgress<string>(name => console.WriteLine(name));
        var trainingProgress = new SynchronousProgress<TrainingProgress>(report =>
        {
            if (report.Step % StepsPerLine == 0 || report.Step == report.TotalSteps)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {report.Step}/{report.TotalSteps}  loss {report.Loss:F3}  lr {report.LearningRate:G3}  logit scale {report.LogitScale:F1}  {report.SamplesPerSecond:F1} pairs/s"));
            }
        });
        return demo.RunAsync(dataProgress: null, trainingProgress, stages, cancellationToken);
    }

    private static void WriteScores(IAnsiConsole console, EmojiDemoResult result)
    {
        var table = new Table().AddColumns("set", "what it tests", "classes", "top-1", "top-5", "ensemble top-1", "ensemble top-5", "chance top-1");
        foreach (ZeroShotScore score in result.Scores)
        {
            table.AddRow(
                score.Name,
                Markup.Escape(score.Description),
                score.Classes.ToString(CultureInfo.InvariantCulture),
                score.Top1.ToString("P1", CultureInfo.InvariantCulture),
                score.Top5.ToString("P1", CultureInfo.InvariantCulture),
                score.EnsembleTop1.ToString("P1", CultureInfo.InvariantCulture),
                score.EnsembleTop5.ToString("P1", CultureInfo.InvariantCulture),
                score.ChanceTop1.ToString("P2", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        (double first, double last) = result.LossFirstAndLastTenth;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Loss {first:F3} -> {last:F3} over {result.Training.Steps} steps in {result.Training.Elapsed.TotalMinutes:F1} min.");
        console.MarkupLineInterpolated($"Model: {result.ModelDirectory}");
        console.MarkupLineInterpolated($"Report: {Path.Combine(result.Options.OutputDirectory, DemoReport.ReportFileName)}");
    }
}
