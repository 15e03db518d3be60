namespace Clip.Training;

/// <summary>State of a training run after one optimiser step, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Step">Steps completed so far, counting those before a resume.</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Epoch">Zero-based epoch of the step.</param>
/// <param name="Loss">Contrastive loss of the step's batch.</param>
/// <param name="LearningRate">Learning rate the step used.</param>
/// <param name="LogitScale">exp(logit_scale) after the step: the inverse softmax temperature.</param>
/// <param name="SamplesPerSecond">Pairs per second over the steps of this call.</param>
/// <param name="EstimatedRemaining">Time to the last step at the rate so far.</param>
/// <param name="DataWaitFraction">Share of this call's time spent waiting for the data pipeline, between 0 and 1.</param>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    int Epoch,
    double Loss,
    double LearningRate,
    double LogitScale,
    double SamplesPerSecond,
    TimeSpan EstimatedRemaining,
    double DataWaitFraction);
