namespace Clip.ZeroShot;

/// <summary>One candidate label of an image and its probability.</summary>
/// <param name="Label">The class name.</param>
/// <param name="ClassIndex">Index of the class in the classifier's class list.</param>
/// <param name="Probability">Softmax probability over all classes, in [0, 1].</param>
public sealed record ZeroShotLabel(string Label, int ClassIndex, double Probability);

/// <summary>The most probable labels of one image, most probable first.</summary>
/// <param name="TopLabels">The top-k labels with their probabilities, in decreasing probability.</param>
public sealed record ZeroShotPrediction(IReadOnlyList<ZeroShotLabel> TopLabels)
{
    /// <summary>The most probable label.</summary>
    public string Label => TopLabels[0].Label;

    /// <summary>Probability of the most probable label.</summary>
    public double Probability => TopLabels[0].Probability;
}
