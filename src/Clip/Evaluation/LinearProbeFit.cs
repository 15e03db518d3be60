using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>A fitted linear probe: the classifier, the L2 strength chosen for it and the sweep that chose it.</summary>
public sealed class LinearProbeFit : IDisposable
{
    internal LinearProbeFit(
        LogisticRegressionClassifier classifier,
        double validationAccuracy,
        IReadOnlyList<RegularizationCandidate> sweep,
        bool normalizeFeatures)
    {
        Classifier = classifier;
        ValidationAccuracy = validationAccuracy;
        Sweep = sweep;
        NormalizeFeatures = normalizeFeatures;
    }

    /// <summary>The final classifier, disposed with this object.</summary>
    public LogisticRegressionClassifier Classifier { get; }

    /// <summary>The chosen L2 strength.</summary>
    public double L2Strength => Classifier.L2Strength;

    /// <summary>Validation accuracy of the chosen L2 strength during the sweep.</summary>
    public double ValidationAccuracy { get; }

    /// <summary>Every L2 strength tried, in the order tried.</summary>
    public IReadOnlyList<RegularizationCandidate> Sweep { get; }

    /// <summary>Whether features are scaled to unit L2 norm before the classifier sees them.</summary>
    public bool NormalizeFeatures { get; }

    /// <summary>Computes logits of <paramref name="features"/>, normalising them first when the probe was fitted on normalised features.</summary>
    /// <param name="features">Features [N, D].</param>
    /// <returns>Logits [N, C], float32 on the CPU; the caller owns and disposes them.</returns>
    public Tensor Logits(Tensor features)
    {
        using var scope = NewDisposeScope();
        Tensor input = LinearProbe.Prepare(features, NormalizeFeatures);
        return Classifier.Logits(input).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the classifier's tensors.</summary>
    public void Dispose() => Classifier.Dispose();
}
