namespace Clip.Evaluation;

/// <summary>One L2 strength tried by a linear probe's sweep, and how it did on the validation split.</summary>
/// <param name="L2Strength">The L2 strength (lambda).</param>
/// <param name="ValidationAccuracy">Top-1 accuracy on the validation split.</param>
/// <param name="Iterations">L-BFGS iterations of the fit.</param>
/// <param name="Converged">Whether the fit met a tolerance before the iteration limit.</param>
public sealed record RegularizationCandidate(double L2Strength, double ValidationAccuracy, int Iterations, bool Converged);
