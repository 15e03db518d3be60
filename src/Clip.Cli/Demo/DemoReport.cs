using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Clip.Cli.Output;
using Clip.Training;

namespace Clip.Cli.Demo;

/// <summary>Writes the demo's results JSON, Markdown report and PNG pictures.</summary>
public static class DemoReport
{
    /// <summary>The results file name.</summary>
    public const string ResultsFileName = "results.json";

    /// <summary>The Markdown report file name.</summary>
    public const string ReportFileName = "report.md";

    /// <summary>The training curves picture.</summary>
    public const string CurvesFileName = "training-curves.png";

    /// <summary>The example grid picture.</summary>
    public const string ExamplesFileName = "examples.png";

    /// <summary>The trainer's per-step metrics (JSON Lines).</summary>
    public const string MetricsFileName = "metrics.jsonl";

    private const int GridColumns = 6;

    /// <summary>Writes every output file into the result's output folder.</summary>
    /// <param name="result">The run.</param>
    /// <param name="datasetDirectory">The folder the example image paths are relative to.</param>
    public static void WriteAll(EmojiDemoResult result, string datasetDirectory)
    {
        string folder = result.Options.OutputDirectory;
        IReadOnlyList<TrainingStep> history = result.Training.History;
        DemoPictures.DrawCurves(Path.Combine(folder, CurvesFileName), [
            ("loss", history.Select(step => step.Loss).ToList()),
            ("learning rate", history.Select(step => step.LearningRate).ToList()),
            ("logit scale", history.Select(step => step.LogitScale).ToList()),
        ]);
        DemoPictures.DrawGrid(
            Path.Combine(folder, ExamplesFileName),
            result.Examples.Select(example => (Path.Combine(datasetDirectory, example.Image), Outcome(example))).ToList(),
            GridColumns);

        File.WriteAllText(Path.Combine(folder, ResultsFileName), JsonSerializer.Serialize(ToJson(result), new JsonSerializerOptions(JsonOutput.Options) { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, ReportFileName), ToMarkdown(result));
    }

    /// <summary>Returns 0 when the top prediction is right, 1 when the truth is among the predictions listed, 2 otherwise.</summary>
    internal static int Outcome(ExamplePrediction example) =>
        example.Predictions.Count > 0 && example.Predictions[0] == example.Truth ? 0
        : example.Predictions.Contains(example.Truth) ? 1
        : 2;

    private static object ToJson(EmojiDemoResult result) => new
    {
        date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
        machine = Machine(),
        model = new { config = result.Options.Model.ToString(), parameters = result.ParameterCount, path = result.ModelDirectory },
        training = new
        {
            images = result.TrainingImages,
            steps = result.Training.Steps,
            batchSize = result.Options.BatchSize,
            learningRate = result.Options.LearningRate,
            seed = result.Options.Seed,
            seconds = result.Training.Elapsed.TotalSeconds,
            dataWaitFraction = result.Training.DataWaitFraction,
            lossFirstTenth = result.LossFirstAndLastTenth.First,
            lossLastTenth = result.LossFirstAndLastTenth.Last,
            stopReason = result.Training.StopReason.ToString(),
        },
        dataPreparationSeconds = result.DataPreparation.TotalSeconds,
        evaluationSeconds = result.Evaluation.TotalSeconds,
        templates = new { single = EmojiEvaluation.SingleTemplate, ensemble = EmojiEvaluation.EnsembleTemplates },
        scores = result.Scores.Select(score => new
        {
            score.Name,
            score.Description,
            score.Images,
            score.Classes,
            score.Top1,
            score.Top5,
            score.EnsembleTop1,
            score.EnsembleTop5,
            score.ChanceTop1,
            score.ChanceTop5,
        }),
        examples = result.Examples,
    };

    /// <summary>Returns the Markdown report.</summary>
    internal static string ToMarkdown(EmojiDemoResult result)
    {
        var text = new StringBuilder();
        (double firstLoss, double lastLoss) = result.LossFirstAndLastTenth;
        text.AppendLine("# Emoji demo: a small CLIP trained from scratch on the CPU");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine()}.");
        text.AppendLine();
        text.AppendLine("## Setup");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Model: {result.Options.Model}, {result.ParameterCount:N0} parameters, trained from random initialisation.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Data: {result.TrainingImages} Google-style images of the seen emoji; each draw captions an image with its label, its label and up to three tags, or its label, group and subgroup, at random.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Training: {result.Training.Steps} steps of {result.Options.BatchSize} pairs, AdamW at a peak learning rate of {result.Options.LearningRate:G3} with warm-up and cosine decay, seed {result.Options.Seed}; augmentation: {(result.Options.StyleAugmentation ? "random crop of 90 to 100 % of the area, colour jitter and 10 % greyscale" : "random crop of 90 to 100 % of the area")}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Time: data {result.DataPreparation.TotalSeconds:F0} s, training {result.Training.Elapsed.TotalSeconds:F0} s ({result.Training.DataWaitFraction:P0} waiting for data), evaluation {result.Evaluation.TotalSeconds:F0} s.");
        if (result.Training.StopReason == TrainingStopReason.Cancelled)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- Training reached its time limit of {result.Options.TrainingTimeLimit?.TotalMinutes:F0} min after {result.Training.Steps} of {result.Options.Steps} steps, so the learning-rate schedule was cut short.");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- Loss: {firstLoss:F3} over the first tenth of the steps, {lastLoss:F3} over the last tenth.");
        text.AppendLine();
        text.AppendLine("## Zero-shot accuracy");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Single template `{EmojiEvaluation.SingleTemplate[0]}`; ensemble of {EmojiEvaluation.EnsembleTemplates.Count} templates ({string.Join(", ", EmojiEvaluation.EnsembleTemplates.Select(template => $"`{template}`"))}).");
        text.AppendLine();
        text.AppendLine("| set | what it tests | images | classes | top-1 | top-5 | ensemble top-1 | ensemble top-5 | chance top-1 / top-5 |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (ZeroShotScore score in result.Scores)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {score.Name} | {score.Description} | {score.Images} | {score.Classes} | {score.Top1:P1} | {score.Top5:P1} | {score.EnsembleTop1:P1} | {score.EnsembleTop5:P1} | {score.ChanceTop1:P2} / {score.ChanceTop5:P2} |");
        }

        text.AppendLine();
        text.AppendLine("## Training curves");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"![training curves]({CurvesFileName})");
        text.AppendLine();
        text.AppendLine("Panels from left to right, each against the step and scaled to its own range: the loss (light: per step, dark: moving average), the learning rate, and the logit scale exp(s).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Ranges: loss {Range(result.Training.History.Select(step => step.Loss))}, learning rate {Range(result.Training.History.Select(step => step.LearningRate))}, logit scale {Range(result.Training.History.Select(step => step.LogitScale))}.");
        text.AppendLine();
        text.AppendLine("## Examples: unseen emoji in the Twitter style (E4)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"![examples]({ExamplesFileName})");
        text.AppendLine();
        text.AppendLine("Frames: green when the top prediction is right, amber when the label is among the top three, red otherwise. Cells are numbered row by row:");
        text.AppendLine();
        text.AppendLine("| cell | label | top three predictions |");
        text.AppendLine("|---|---|---|");
        for (int index = 0; index < result.Examples.Count; index++)
        {
            ExamplePrediction example = result.Examples[index];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {index + 1} | {Escape(example.Truth)} | {string.Join("; ", example.Predictions.Select(Escape))} |");
        }

        return text.ToString();
    }

    private static string Range(IEnumerable<double> values)
    {
        double[] all = values.ToArray();
        return all.Length == 0 ? "(no steps)" : string.Create(CultureInfo.InvariantCulture, $"{all.Min():G3} to {all.Max():G3}");
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Machine() =>
        string.Create(CultureInfo.InvariantCulture, $"{RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} logical CPUs, {TorchSharp.torch.get_num_threads()} TorchSharp threads, .NET {Environment.Version}");
}
