namespace Clip.Evaluation;

/// <summary>A progress report of a long evaluation, sent through <see cref="IProgress{T}"/>.</summary>
/// <param name="Stage">The step being run.</param>
/// <param name="Completed">Units of the step completed so far (images, candidates, trials).</param>
/// <param name="Total">Units of the step in all.</param>
/// <param name="Detail">Optional human-readable detail, for example the candidate L2 strength and its validation accuracy.</param>
public sealed record EvaluationProgress(EvaluationStage Stage, int Completed, int Total, string? Detail = null)
{
    /// <summary>Fraction of the step completed, in [0, 1].</summary>
    public double Fraction => Total <= 0 ? 1.0 : (double)Completed / Total;
}
