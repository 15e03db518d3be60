using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>Accuracy metrics of a classifier from its scores (logits, similarities or probabilities) and the true labels.</summary>
/// <remarks>
/// Scores are a float tensor of shape [N, C]: one row per example, one column per class, higher meaning more
/// likely. Only the order within a row matters. Tied scores are ordered as <c>torch.topk</c> orders them,
/// which is not specified, so hand-made inputs should avoid ties.
/// </remarks>
public static class ClassificationMetrics
{
    /// <summary>The k of the top-k accuracy in <see cref="ClassificationReport.Top5Accuracy"/>.</summary>
    public const int TopFive = 5;

    /// <summary>
    /// Computes the fraction of examples whose true class is among the <paramref name="k"/> highest-scoring classes.
    /// </summary>
    /// <param name="scores">Scores [N, C].</param>
    /// <param name="labels">True class index of each of the N examples.</param>
    /// <param name="k">How many top classes count as a hit; clamped to C.</param>
    /// <exception cref="ArgumentException">The shapes disagree, or a label is not a class index.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is smaller than 1.</exception>
    public static double TopKAccuracy(Tensor scores, IReadOnlyList<int> labels, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        (int count, int classes) = CheckInputs(scores, labels);
        long[] top = TopIndices(scores, Math.Min(k, classes));
        int width = Math.Min(k, classes);
        int hits = 0;
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < width; j++)
            {
                if (top[(i * width) + j] == labels[i])
                {
                    hits++;
                    break;
                }
            }
        }

        return (double)hits / count;
    }

    /// <summary>Returns the highest-scoring class of each example.</summary>
    /// <param name="scores">Scores [N, C].</param>
    public static int[] Predict(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != 2)
        {
            throw new ArgumentException($"Scores must have shape [N, C], but have shape [{string.Join(", ", scores.shape)}].", nameof(scores));
        }

        using var scope = NewDisposeScope();
        return scores.argmax(1).to(CPU).to_type(ScalarType.Int32).data<int>().ToArray();
    }

    /// <summary>Counts (true class, top-1 prediction) pairs.</summary>
    /// <param name="scores">Scores [N, C].</param>
    /// <param name="labels">True class index of each example.</param>
    /// <param name="classNames">The C class names.</param>
    /// <exception cref="ArgumentException">The shapes disagree, or a label is not a class index.</exception>
    public static ConfusionMatrix ConfusionMatrix(Tensor scores, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        (_, int classes) = CheckInputs(scores, labels);
        if (classNames.Count != classes)
        {
            throw new ArgumentException($"{classNames.Count} class names were given for scores with {classes} classes.", nameof(classNames));
        }

        return ConfusionMatrixFromPredictions(Predict(scores), labels, classNames);
    }

    /// <summary>Counts (true class, predicted class) pairs from predictions.</summary>
    /// <param name="predictions">Predicted class index of each example.</param>
    /// <param name="labels">True class index of each example.</param>
    /// <param name="classNames">The class names.</param>
    /// <exception cref="ArgumentException">The two lists differ in length, or an index is not a class index.</exception>
    public static ConfusionMatrix ConfusionMatrixFromPredictions(IReadOnlyList<int> predictions, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (predictions.Count != labels.Count)
        {
            throw new ArgumentException($"{predictions.Count} predictions were given for {labels.Count} labels.", nameof(predictions));
        }

        int classes = classNames.Count;
        var counts = new long[classes][];
        for (int c = 0; c < classes; c++)
        {
            counts[c] = new long[classes];
        }

        for (int i = 0; i < labels.Count; i++)
        {
            CheckClass(labels[i], classes, i, nameof(labels));
            CheckClass(predictions[i], classes, i, nameof(predictions));
            counts[labels[i]][predictions[i]]++;
        }

        return new ConfusionMatrix(classNames, counts);
    }

    /// <summary>Computes top-1 and top-5 accuracy, mean per-class recall and the confusion matrix.</summary>
    /// <param name="scores">Scores [N, C].</param>
    /// <param name="labels">True class index of each example.</param>
    /// <param name="classNames">The C class names.</param>
    /// <exception cref="ArgumentException">The shapes disagree, or a label is not a class index.</exception>
    public static ClassificationReport Evaluate(Tensor scores, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        ConfusionMatrix matrix = ConfusionMatrix(scores, labels, classNames);
        return new ClassificationReport(
            labels.Count,
            matrix.Accuracy,
            TopKAccuracy(scores, labels, TopFive),
            matrix.MeanPerClassRecall,
            matrix);
    }

    private static long[] TopIndices(Tensor scores, int k)
    {
        using var scope = NewDisposeScope();
        return scores.topk(k, dim: 1).indexes.to(CPU).contiguous().data<long>().ToArray();
    }

    private static (int Count, int Classes) CheckInputs(Tensor scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.dim() != 2)
        {
            throw new ArgumentException($"Scores must have shape [N, C], but have shape [{string.Join(", ", scores.shape)}].", nameof(scores));
        }

        if (scores.shape[0] != labels.Count)
        {
            throw new ArgumentException($"Scores have {scores.shape[0]} rows but {labels.Count} labels were given.", nameof(labels));
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException("At least one example is needed.", nameof(labels));
        }

        int classes = (int)scores.shape[1];
        for (int i = 0; i < labels.Count; i++)
        {
            CheckClass(labels[i], classes, i, nameof(labels));
        }

        return (labels.Count, classes);
    }

    private static void CheckClass(int value, int classes, int example, string parameter)
    {
        if ((uint)value >= (uint)classes)
        {
            throw new ArgumentException($"Example {example} has class index {value}; allowed: 0 to {classes - 1}.", parameter);
        }
    }
}
