using System.CommandLine;
using Clip.Cli.Inference;
using Clip.Cli.Output;
using Clip.ZeroShot;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip zero-shot</c>: classifies images among text labels.</summary>
public static class ZeroShotCommand
{
    /// <summary>The template of a single-prompt classifier, as in CLIP's zero-shot evaluation.</summary>
    public const string DefaultTemplate = "a photo of a {}.";

    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var images = new Argument<string[]>("images") { Description = "Image files to classify.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model", "-m") { Description = "Folder or checkpoint file of a saved model.", Required = true };
        var labels = new Option<string[]>("--labels", "-l")
        {
            Description = "Candidate labels (repeat the option or list several after it).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var templates = new Option<string[]>("--template", "-t")
        {
            Description = $"Prompt template with {{}} where the label goes; repeat for an ensemble. Default: \"{DefaultTemplate}\"",
        };
        var topK = new Option<int>("--top", "-k") { Description = "Number of best labels to show per image.", DefaultValueFactory = _ => 5 };
        topK.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"--top {result.GetValueOrDefault<int>()} is invalid: give a positive number.");
            }
        });

        var command = new Command("zero-shot", "Classify images among labels the model was not trained on, through prompt embeddings.")
        {
            images, model, labels, templates, topK,
        };
        command.SetAction(int (parseResult) =>
        {
            var context = new CommandContext(parseResult, options, console);
            string[] imagePaths = context.Get(images)!;
            foreach (string path in imagePaths.Where(path => !File.Exists(path)))
            {
                throw new CliException($"Image '{path}' was not found.");
            }

            using LoadedModel loaded = LoadedModel.Load(context.Get(model)!, TorchSettings.Apply(context));
            string[] prompts = context.Get(templates) is { Length: > 0 } given ? given : [DefaultTemplate];
            int k = Math.Min(context.Get(topK), context.Get(labels)!.Length);
            using var classifier = new ZeroShotClassifier(
                loaded.Model, loaded.Tokenizer, context.Get(labels)!, prompts, new ZeroShotOptions { TopK = Math.Max(1, k) }, loaded.Preprocessor);
            IReadOnlyList<ZeroShotPrediction> predictions = classifier.Classify(imagePaths);
            var results = imagePaths.Select((path, row) => new
            {
                image = path,
                predictions = predictions[row].TopLabels.Select(label => new { label = label.Label, probability = label.Probability }).ToArray(),
            }).ToArray();

            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(results, JsonOutput.Options));
                return 0;
            }

            var table = new Table().AddColumns("image", "rank", "label", "probability");
            foreach (var result in results)
            {
                for (int rank = 0; rank < result.predictions.Length; rank++)
                {
                    table.AddRow(rank == 0 ? Markup.Escape(result.image) : string.Empty, (rank + 1).ToString(), Markup.Escape(result.predictions[rank].label), result.predictions[rank].probability.ToString("P1"));
                }
            }

            console.Write(table);
            return 0;
        });
        return command;
    }
}
