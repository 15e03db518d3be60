using System.CommandLine;
using System.Globalization;
using Clip.Cli.Inference;
using Clip.Evaluation;
using Clip.ZeroShot;
using Spectre.Console;
using static TorchSharp.torch;

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
    private static readonly int[] Ranks = [1, 5, 10];

    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "Folder or checkpoint file of a saved model.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset: a CSV (with header) or JSON Lines file with an image path and a label or caption per row; paths are relative to the file.", Required = true };
        var task = new Option<EvaluationTask>("--task") { Description = "Evaluation protocol: ZeroShot (labels), LinearProbe (labels; fits on --data, scores on --test-data) or Retrieval (captions).", DefaultValueFactory = _ => EvaluationTask.ZeroShot };
        var imageColumn = new Option<string>("--image-column") { Description = "Column of the image path.", DefaultValueFactory = _ => "image" };
        var labelColumn = new Option<string>("--label-column") { Description = "Column of the class label (zero-shot) or caption (retrieval).", DefaultValueFactory = _ => "label" };
        var templates = new Option<string[]>("--template", "-t") { Description = $"Zero-shot prompt template with {{}} for the label; repeat for an ensemble. Default: \"{ZeroShotCommand.DefaultTemplate}\"" };

        var testData = new Option<string?>("--test-data") { Description = "Test set of the linear probe, with the same columns as --data." };

        var command = new Command("eval", "Evaluate a model: zero-shot or linear-probe top-1/top-5 accuracy on labelled images, or retrieval recall on captioned images.")
        {
            model, data, task, imageColumn, labelColumn, templates, testData,
        };
        command.SetAction(int (parseResult) =>
        {
            var context = new CommandContext(parseResult, options, console);
            EvaluationTask evaluation = context.Get(task);
            string? testPath = context.Get(testData);
            if (evaluation == EvaluationTask.LinearProbe && testPath is null)
            {
                throw new CliException("--task LinearProbe needs --test-data: the probe is fitted on --data and scored on the test set.");
            }

            (List<string> images, List<string> texts) = ReadRows(context.Get(data)!, context.Get(imageColumn)!, context.Get(labelColumn)!);
            using LoadedModel loaded = LoadedModel.Load(context.Get(model)!, TorchSettings.Apply(context));
            using var scope = NewDisposeScope();
            Tensor imageEmbeddings = loaded.EncodeImages(images);
            Dictionary<string, double> metrics = evaluation switch
            {
                EvaluationTask.ZeroShot => ZeroShot(loaded, imageEmbeddings, texts, context.Get(templates) is { Length: > 0 } given ? given : [ZeroShotCommand.DefaultTemplate]),
                EvaluationTask.LinearProbe => Probe(loaded, imageEmbeddings, texts, ReadRows(testPath!, context.Get(imageColumn)!, context.Get(labelColumn)!)),
                _ => Retrieval(loaded, imageEmbeddings, texts),
            };

            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { task = evaluation.ToString(), images = images.Count, metrics }, Output.JsonOutput.Options));
                return 0;
            }

            var table = new Table().AddColumns("metric", "value");
            foreach ((string name, double value) in metrics)
            {
                table.AddRow(name, value.ToString("P2", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return 0;
        });
        return command;
    }

    private static (List<string> Images, List<string> Texts) ReadRows(string dataPath, string imageColumn, string labelColumn)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(dataPath))!;
        var rows = TabularFile.Read(dataPath);
        List<string> images = rows.Select(row => Path.Combine(folder, TabularFile.Field(row, imageColumn, dataPath))).ToList();
        List<string> texts = rows.Select(row => TabularFile.Field(row, labelColumn, dataPath)).ToList();
        return (images, texts);
    }

    /// <summary>Fits the library's linear probe on the training embeddings and scores it on the test images.</summary>
    private static Dictionary<string, double> Probe(LoadedModel model, Tensor trainEmbeddings, List<string> trainLabels, (List<string> Images, List<string> Labels) test)
    {
        string[] classes = trainLabels.Concat(test.Labels).Distinct().Order(StringComparer.Ordinal).ToArray();
        var classIndex = classes.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => pair.index, StringComparer.Ordinal);
        Tensor testEmbeddings = model.EncodeImages(test.Images);
        LinearProbeResult result = LinearProbe.Evaluate(
            trainEmbeddings, trainLabels.Select(label => classIndex[label]).ToArray(), testEmbeddings, test.Labels.Select(label => classIndex[label]).ToArray(), classes);
        return new Dictionary<string, double>
        {
            ["top-1"] = result.Test.Top1Accuracy,
            ["top-5"] = result.Test.Top5Accuracy,
            ["mean per-class recall"] = result.Test.MeanPerClassRecall,
            ["chance top-1"] = 1.0 / classes.Length,
        };
    }

    private static Dictionary<string, double> ZeroShot(LoadedModel model, Tensor imageEmbeddings, List<string> labels, string[] templates)
    {
        string[] classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        var classIndex = classes.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => (long)pair.index);
        using var classifier = new ZeroShotClassifier(model.Model, model.Tokenizer, classes, templates, preprocessor: model.Preprocessor);
        Tensor probabilities = imageEmbeddings.mm(classifier.ClassWeights.t()).mul(classifier.Options.LogitScale).softmax(1); // [N, E] x [E, C] -> [N, C]
        Tensor targets = tensor(labels.Select(label => classIndex[label]).ToArray()).unsqueeze(1); // [N] -> [N, 1]
        Tensor top = probabilities.topk(Math.Min(5, classes.Length), dim: 1).indexes;              // [N, C] -> [N, k]
        Tensor hits = top.eq(targets);
        return new Dictionary<string, double>
        {
            ["top-1"] = hits.select(1, 0).to_type(ScalarType.Float64).mean().item<double>(),
            ["top-5"] = hits.any(1).to_type(ScalarType.Float64).mean().item<double>(),
            ["chance top-1"] = 1.0 / classes.Length,
        };
    }

    /// <summary>Recall@K both ways; row i's caption belongs to row i's image.</summary>
    private static Dictionary<string, double> Retrieval(LoadedModel model, Tensor imageEmbeddings, List<string> captions)
    {
        Tensor textEmbeddings = model.EncodeTexts(captions);
        Tensor similarity = imageEmbeddings.matmul(textEmbeddings.t()); // [N, E] x [E, N] -> [N, N]
        Tensor diagonal = similarity.diagonal().unsqueeze(1);             // [N, 1]
        // Rank of the true pair: how many candidates score strictly higher.
        Tensor imageToTextRank = similarity.gt(diagonal).sum(1);          // [N]
        Tensor textToImageRank = similarity.t().gt(diagonal).sum(1);      // [N]
        var metrics = new Dictionary<string, double>();
        foreach (int k in Ranks)
        {
            metrics[$"image-to-text R@{k}"] = imageToTextRank.lt(k).to_type(ScalarType.Float64).mean().item<double>();
            metrics[$"text-to-image R@{k}"] = textToImageRank.lt(k).to_type(ScalarType.Float64).mean().item<double>();
        }

        return metrics;
    }
}
