namespace Clip.Cli.Demo;

/// <summary>Zero-shot accuracy on one evaluation set, with its chance levels.</summary>
/// <param name="Name">Short name, for example <c>E1</c>.</param>
/// <param name="Description">What the set tests.</param>
/// <param name="Images">Images classified.</param>
/// <param name="Classes">Candidate classes.</param>
/// <param name="Top1">Share of images whose best class is theirs, single template.</param>
/// <param name="Top5">Share of images with their class among the best five, single template.</param>
/// <param name="EnsembleTop1">Top-1 with the template ensemble.</param>
/// <param name="EnsembleTop5">Top-5 with the template ensemble.</param>
public sealed record ZeroShotScore(
    string Name,
    string Description,
    int Images,
    int Classes,
    double Top1,
    double Top5,
    double EnsembleTop1,
    double EnsembleTop5)
{
    /// <summary>Top-1 accuracy of guessing uniformly: 1 / classes.</summary>
    public double ChanceTop1 => 1.0 / Classes;

    /// <summary>Top-5 accuracy of guessing uniformly: min(5, classes) / classes.</summary>
    public double ChanceTop5 => Math.Min(5, Classes) / (double)Classes;
}
