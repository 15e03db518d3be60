namespace Clip.Training;

/// <summary>Why a training run returned.</summary>
public enum TrainingStopReason
{
    /// <summary>All steps ran.</summary>
    Completed,

    /// <summary>The cancellation token fired; a checkpoint was written when a checkpoint path is set.</summary>
    Cancelled,
}

/// <summary>One optimiser step, for plotting the run.</summary>
/// <param name="Step">The step's one-based number.</param>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Loss">Contrastive loss of the batch.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="LogitScale">exp(logit_scale) after the step.</param>
/// <param name="GradientNorm">L2 norm of all gradients before clipping, or <see langword="null"/> when clipping is off.</param>
public sealed record TrainingStep(int Step, int Epoch, double Loss, double LearningRate, double LogitScale, double? GradientNorm);

/// <summary>Validation metrics after an epoch.</summary>
/// <param name="Epoch">Zero-based epoch that just finished.</param>
/// <param name="Step">Steps completed when validation ran.</param>
/// <param name="ImageToTextRecall">For each K, the share of images with one of their captions among the K nearest captions.</param>
/// <param name="TextToImageRecall">For each K, the share of captions whose image is among the K nearest images.</param>
/// <param name="ZeroShotAccuracy">Share of labelled images whose nearest class prompt is their class, or <see langword="null"/> without labels.</param>
public sealed record ValidationMetrics(
    int Epoch,
    int Step,
    IReadOnlyDictionary<int, double> ImageToTextRecall,
    IReadOnlyDictionary<int, double> TextToImageRecall,
    double? ZeroShotAccuracy);

/// <summary>Outcome of <see cref="ClipTrainer.Train(TrainingDataset, TrainingDataset?, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
/// <param name="StopReason">Why the run returned.</param>
/// <param name="Steps">Steps completed, counting those before a resume.</param>
/// <param name="History">The steps of this call, in order.</param>
/// <param name="Validations">Validation after each epoch of this call.</param>
/// <param name="SkippedSamples">Invalid samples skipped, counting those before a resume.</param>
/// <param name="DataWaitFraction">Share of this call's time the model waited for data, between 0 and 1.</param>
/// <param name="Elapsed">Wall-clock time of this call.</param>
/// <param name="CheckpointPath">Last checkpoint written, or <see langword="null"/>.</param>
public sealed record TrainingResult(
    TrainingStopReason StopReason,
    int Steps,
    IReadOnlyList<TrainingStep> History,
    IReadOnlyList<ValidationMetrics> Validations,
    long SkippedSamples,
    double DataWaitFraction,
    TimeSpan Elapsed,
    string? CheckpointPath);
