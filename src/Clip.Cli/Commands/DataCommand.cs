using System.CommandLine;
using System.Text.Json;
using Clip.Cli.Emoji;
using Clip.Cli.Output;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip data</c>: fetches and prepares demo datasets.</summary>
public static class DataCommand
{
    /// <summary>Builds the command and its <c>emoji</c> subcommand.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var command = new Command("data", "Fetch and prepare demo datasets.");
        command.Subcommands.Add(CreateEmoji(options, console));
        return command;
    }

    private static Command CreateEmoji(GlobalOptions options, IAnsiConsole console)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Dataset folder: composited images, emoji.csv and emoji.jsonl are written here.",
            DefaultValueFactory = _ => Path.Combine("data", "emoji"),
        };
        var cache = new Option<string>("--cache")
        {
            Description = "Folder for the downloaded npm tarballs and their extracted files; reused when the tarballs verify.",
            DefaultValueFactory = _ => Path.Combine(".cache", "npm"),
        };
        var seenFraction = new Option<double>("--seen-fraction")
        {
            Description = "Share of base emoji in the seen split, between 0 and 1 (skin-tone variants follow their base emoji).",
            DefaultValueFactory = _ => EmojiDatasetOptions.DefaultSeenFraction,
        };
        var maxBaseEmoji = new Option<int?>("--max-base-emoji")
        {
            Description = "Keep only this many base emoji (with their skin-tone variants), chosen by a stable hash, for quick trials.",
        };
        var styles = new Option<EmojiStyle[]>("--style")
        {
            Description = "Drawing styles to include (repeat for several). Default: google and twitter.",
            AllowMultipleArgumentsPerToken = true,
        };
        var npm = new Option<string?>("--npm")
        {
            Description = "The npm executable to run (default: npm from PATH).",
        };

        seenFraction.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!(value > 0 && value < 1))
            {
                result.AddError($"--seen-fraction {value} is invalid: give a number greater than 0 and less than 1.");
            }
        });
        maxBaseEmoji.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int value && value <= 0)
            {
                result.AddError($"--max-base-emoji {value} is invalid: give a positive number.");
            }
        });

        var command = new Command(
            "emoji",
            "Download emoji images (Google and Twitter styles) and CLDR texts with npm, and write a captioned dataset split into seen and unseen emoji.")
        {
            output, cache, seenFraction, maxBaseEmoji, styles, npm,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CommandContext(parseResult, options, console);
            var datasetOptions = new EmojiDatasetOptions(
                context.Get(output)!,
                context.Get(cache)!,
                context.Get(seenFraction),
                context.Get(maxBaseEmoji),
                context.Get(styles));

            var builder = new EmojiDatasetBuilder(datasetOptions, new NpmClient(context.Get(npm)));
            EmojiDatasetResult result = context.Json
                ? await builder.BuildAsync(progress: null, cancellationToken).ConfigureAwait(false)
                : await BuildWithProgressAsync(builder, console, cancellationToken).ConfigureAwait(false);

            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(Summarize(result), JsonOutput.Options));
            }
            else
            {
                WriteTable(console, result);
            }

            return 0;
        });
        return command;
    }

    private static async Task<EmojiDatasetResult> BuildWithProgressAsync(EmojiDatasetBuilder builder, IAnsiConsole console, CancellationToken cancellationToken)
    {
        EmojiDatasetResult? result = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progressContext =>
            {
                var tasks = new Dictionary<EmojiPreparationStage, ProgressTask>();
                var reporter = new SynchronousProgress<EmojiPreparationProgress>(report =>
                {
                    if (!tasks.TryGetValue(report.Stage, out ProgressTask? task))
                    {
                        task = progressContext.AddTask(report.Description);
                        tasks[report.Stage] = task;
                    }

                    task.Description = report.Description;
                    task.MaxValue = Math.Max(1, report.Total);
                    task.Value = report.Total == 0 ? 1 : report.Completed;
                });
                result = await builder.BuildAsync(reporter, cancellationToken).ConfigureAwait(false);
                foreach (ProgressTask task in tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
            }).ConfigureAwait(false);
        return result!;
    }

    private static object Summarize(EmojiDatasetResult result) => new
    {
        directory = result.Directory,
        csv = result.CsvPath,
        jsonl = result.JsonLinesPath,
        images = result.Records.Count,
        imagesWritten = result.ImagesWritten,
        unlabelledImages = result.UnlabelledImages,
        parts = Parts(result).Select(part => new { style = part.Style.ToName(), split = EmojiDatasetWriter.SplitName(part.Split), part.Images, part.BaseEmoji }),
        packages = result.Packages.Select(package => new { name = package.Package.Name, version = package.Package.Version, package.Integrity, package.Downloaded }),
    };

    private static IEnumerable<(EmojiStyle Style, EmojiSplit Split, int Images, int BaseEmoji)> Parts(EmojiDatasetResult result) =>
        result.Records
            .GroupBy(record => (record.Style, record.Split))
            .OrderBy(group => group.Key.Style).ThenBy(group => group.Key.Split)
            .Select(group => (group.Key.Style, group.Key.Split, group.Count(), group.Select(record => record.BaseHexcode).Distinct().Count()));

    private static void WriteTable(IAnsiConsole console, EmojiDatasetResult result)
    {
        var table = new Table().AddColumns("style", "split", "images", "base emoji");
        foreach ((EmojiStyle style, EmojiSplit split, int images, int baseEmoji) in Parts(result))
        {
            table.AddRow(style.ToName(), EmojiDatasetWriter.SplitName(split), images.ToString(), baseEmoji.ToString());
        }

        console.Write(table);
        foreach (CachedPackage package in result.Packages)
        {
            console.MarkupLineInterpolated($"{package.Package} [grey]{(package.Downloaded ? "downloaded" : "cached, verified")}[/]");
        }

        console.MarkupLineInterpolated($"Wrote {result.Records.Count} images ({result.ImagesWritten} new) and the index to {result.CsvPath} and {result.JsonLinesPath}.");
        if (result.UnlabelledImages > 0)
        {
            console.MarkupLineInterpolated($"[yellow]Skipped {result.UnlabelledImages} images without a label in emojibase.[/]");
        }
    }
}
