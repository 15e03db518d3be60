using Clip.Cli.Emoji;
using Clip.Cli.Inference;
using Clip.ZeroShot;
using static TorchSharp.torch;

namespace Clip.Cli.Demo;

/// <summary>
/// The demo's five zero-shot evaluations. E1: seen emoji in the training style among all seen labels. E2: the same
/// emoji in the other style. E3: unseen emoji in the training style among the unseen labels. E4: unseen emoji in the
/// other style. E5: unseen emoji in the other style classified into the nine emoji groups.
/// </summary>
public static class EmojiEvaluation
{
    /// <summary>The single prompt template: the bare label, which is what most training captions are.</summary>
    public static readonly IReadOnlyList<string> SingleTemplate = ["{}"];

    /// <summary>The template ensemble.</summary>
    public static readonly IReadOnlyList<string> EnsembleTemplates = ["{}", "an emoji of {}.", "a {} emoji.", "a drawing of {}."];

    /// <summary>The group emojibase uses for skin-tone swatches and hair components, left out of the nine-group task.</summary>
    public const string ComponentsGroup = "components";

    private const int TopK = 5;

    /// <summary>Runs E1 to E5.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="records">The whole dataset.</param>
    /// <param name="datasetDirectory">The folder image paths are relative to.</param>
    /// <param name="trainingStyle">The style training saw.</param>
    /// <param name="exampleCount">How many unseen, other-style images to keep predictions for.</param>
    /// <returns>The scores, and top predictions for <paramref name="exampleCount"/> E4 images spread over the set.</returns>
    public static (IReadOnlyList<ZeroShotScore> Scores, IReadOnlyList<ExamplePrediction> Examples) Run(
        LoadedModel model,
        IReadOnlyList<EmojiRecord> records,
        string datasetDirectory,
        EmojiStyle trainingStyle,
        int exampleCount)
    {
        EmojiStyle otherStyle = trainingStyle == EmojiStyle.Google ? EmojiStyle.Twitter : EmojiStyle.Google;
        List<EmojiRecord> Select(EmojiStyle style, EmojiSplit split) =>
            records.Where(record => record.Style == style && record.Split == split).ToList();

        List<EmojiRecord> seenTrain = Select(trainingStyle, EmojiSplit.Seen);
        List<EmojiRecord> seenOther = Select(otherStyle, EmojiSplit.Seen);
        List<EmojiRecord> unseenTrain = Select(trainingStyle, EmojiSplit.Unseen);
        List<EmojiRecord> unseenOther = Select(otherStyle, EmojiSplit.Unseen);
        string[] seenLabels = seenTrain.Concat(seenOther).Select(record => record.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] unseenLabels = unseenTrain.Concat(unseenOther).Select(record => record.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] groups = records.Select(record => record.Group).Where(group => group.Length > 0 && group != ComponentsGroup).Distinct().Order(StringComparer.Ordinal).ToArray();
        List<EmojiRecord> groupImages = unseenOther.Where(record => groups.Contains(record.Group)).ToList();
        using var heads = new HeadCache(model);
        string style = trainingStyle.ToName();
        string other = otherStyle.ToName();

        var scores = new List<ZeroShotScore>
        {
            Score(heads, "E1", $"seen emoji, {style} style, among all seen labels", seenTrain, seenLabels, record => record.Label, datasetDirectory, null),
            Score(heads, "E2", $"seen emoji, {other} style (never trained on)", seenOther, seenLabels, record => record.Label, datasetDirectory, null),
            Score(heads, "E3", $"unseen emoji, {style} style, among the unseen labels", unseenTrain, unseenLabels, record => record.Label, datasetDirectory, null),
        };

        var examples = new List<ExamplePrediction>();
        scores.Add(Score(heads, "E4", $"unseen emoji, {other} style", unseenOther, unseenLabels, record => record.Label, datasetDirectory, (exampleCount, examples)));
        scores.Add(Score(heads, "E5", $"unseen emoji, {other} style, into the {groups.Length} groups", groupImages, groups, record => record.Group, datasetDirectory, null));
        return (scores, examples);
    }

    private static ZeroShotScore Score(
        HeadCache heads,
        string name,
        string description,
        List<EmojiRecord> images,
        string[] classes,
        Func<EmojiRecord, string> truth,
        string datasetDirectory,
        (int Count, List<ExamplePrediction> Sink)? examples)
    {
        if (images.Count == 0 || classes.Length == 0)
        {
            return new ZeroShotScore(name, description, images.Count, Math.Max(1, classes.Length), 0, 0, 0, 0);
        }

        var classIndex = classes.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => pair.index, StringComparer.Ordinal);
        long[] targets = images.Select(record => (long)classIndex[truth(record)]).ToArray();

        using var scope = NewDisposeScope();
        Tensor imageEmbeddings = heads.Model.EncodeImages(images.Select(record => Path.Combine(datasetDirectory, record.Image)).ToList());
        (double top1, double top5, Tensor singleTop) = Accuracy(heads.Get(classes, SingleTemplate), imageEmbeddings, targets);
        (double ensembleTop1, double ensembleTop5, _) = Accuracy(heads.Get(classes, EnsembleTemplates), imageEmbeddings, targets);

        if (examples is { } sink)
        {
            long[] top = singleTop.data<long>().ToArray();
            int k = (int)singleTop.shape[1];
            // Spread the examples evenly over the set, because the file order groups emoji by kind (flags, keycaps).
            int count = Math.Min(sink.Count, images.Count);
            for (int example = 0; example < count; example++)
            {
                int row = (int)((long)example * images.Count / count);
                string[] predictions = Enumerable.Range(0, Math.Min(3, k)).Select(rank => classes[top[(row * k) + rank]]).ToArray();
                sink.Sink.Add(new ExamplePrediction(images[row].Image, truth(images[row]), predictions));
            }
        }

        return new ZeroShotScore(name, description, images.Count, classes.Length, top1, top5, ensembleTop1, ensembleTop5);
    }

    private static (double Top1, double Top5, Tensor TopIndices) Accuracy(ZeroShotClassifier head, Tensor imageEmbeddings, long[] targets)
    {
        Tensor logits = imageEmbeddings.mm(head.ClassWeights.t()).mul(head.Options.LogitScale); // [N, E] x [E, C] -> [N, C]
        int k = Math.Min(TopK, head.ClassNames.Count);
        Tensor topIndices = logits.topk(k, dim: 1).indexes; // [N, C] -> [N, k]
        Tensor expected = tensor(targets).unsqueeze(1); // [N] -> [N, 1]
        Tensor hits = topIndices.eq(expected); // [N, k]
        double top1 = hits.select(1, 0).to_type(ScalarType.Float64).mean().item<double>();
        double top5 = hits.any(1).to_type(ScalarType.Float64).mean().item<double>();
        return (top1, top5, topIndices);
    }
}

/// <summary>
/// The library's zero-shot classifiers, one per (class list, template set), built once: E1 and E2 share their
/// labels, and so do E3 and E4.
/// </summary>
internal sealed class HeadCache(LoadedModel model) : IDisposable
{
    private readonly Dictionary<(string[] Classes, IReadOnlyList<string> Templates), ZeroShotClassifier> _heads = new();

    public LoadedModel Model { get; } = model;

    public ZeroShotClassifier Get(string[] classes, IReadOnlyList<string> templates)
    {
        if (!_heads.TryGetValue((classes, templates), out ZeroShotClassifier? head))
        {
            head = new ZeroShotClassifier(Model.Model, Model.Tokenizer, classes, templates, preprocessor: Model.Preprocessor);
            _heads[(classes, templates)] = head;
        }

        return head;
    }

    public void Dispose()
    {
        foreach (ZeroShotClassifier head in _heads.Values)
        {
            head.Dispose();
        }
    }
}

/// <summary>An image with its true class and the model's best classes.</summary>
/// <param name="Image">The image path relative to the dataset folder.</param>
/// <param name="Truth">The true class.</param>
/// <param name="Predictions">The best classes, best first.</param>
public sealed record ExamplePrediction(string Image, string Truth, IReadOnlyList<string> Predictions);
