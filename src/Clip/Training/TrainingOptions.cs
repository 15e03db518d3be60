using Clip.Imaging;
using Clip.Imaging.Augmentation;

namespace Clip.Training;

/// <summary>
/// Settings of one training run of a <c>ClipModel</c>. Every value is checked when the record is
/// created or copied with <c>with</c>, and an invalid one raises an <see cref="ArgumentOutOfRangeException"/>
/// or <see cref="ArgumentException"/> that names the property, the value and the allowed range.
/// </summary>
/// <remarks>
/// The optimiser defaults follow the CLIP paper: AdamW with β₁ 0.9, β₂ 0.98, ε 1e-6 and decoupled weight decay
/// 0.2 on weight matrices only, and a cosine learning-rate schedule after a linear warm-up.
/// </remarks>
public sealed record TrainingOptions
{
    private readonly int _batchSize = 64;
    private readonly int _epochs = 1;
    private readonly int? _maxSteps;
    private readonly double _learningRate = 5e-4;
    private readonly double _minLearningRate;
    private readonly int _warmupSteps;
    private readonly double _weightDecay = 0.2;
    private readonly double _beta1 = 0.9;
    private readonly double _beta2 = 0.98;
    private readonly double _epsilon = 1e-6;
    private readonly double? _maxGradientNorm = 1.0;
    private readonly int? _gradientCacheChunkSize;
    private readonly FineTuningMode _fineTuning = FineTuningMode.Full;
    private readonly int _dataWorkers = 2;
    private readonly int _prefetchBatches = 2;
    private readonly int? _checkpointEverySteps;
    private readonly int _logEverySteps = 10;
    private readonly int _collectGarbageEverySteps = 20;
    private readonly InvalidSamplePolicy _invalidSamples = InvalidSamplePolicy.Skip;
    private readonly IReadOnlyList<int> _recallAtK = [1, 5, 10];

    // Smallest crop of the default augmentation, as a share of the image area (OpenCLIP's training default).
    private const double DefaultMinCropScale = 0.9;

    /// <summary>Pairs per optimiser step (the number of negatives each pair is contrasted with, plus one). Default 64.</summary>
    public int BatchSize { get => _batchSize; init => _batchSize = RequireAtLeast(value, 2, nameof(BatchSize)); }

    /// <summary>Passes over the training data. Default 1. It is ignored when <see cref="MaxSteps"/> is set.</summary>
    public int Epochs { get => _epochs; init => _epochs = RequireAtLeast(value, 1, nameof(Epochs)); }

    /// <summary>
    /// Optimiser steps of the run, or <see langword="null"/> to run <see cref="Epochs"/> passes over the data. When set,
    /// training runs this many steps over as many epochs as that takes, and the learning-rate schedule spans them.
    /// </summary>
    public int? MaxSteps { get => _maxSteps; init => _maxSteps = value is int v ? RequireAtLeast(v, 1, nameof(MaxSteps)) : null; }

    /// <summary>Peak learning rate, reached at the end of the warm-up. Default 5e-4.</summary>
    public double LearningRate { get => _learningRate; init => _learningRate = RequirePositive(value, nameof(LearningRate)); }

    /// <summary>Learning rate at the end of the cosine decay. Default 0; must not exceed <see cref="LearningRate"/>.</summary>
    public double MinLearningRate { get => _minLearningRate; init => _minLearningRate = RequireNonNegative(value, nameof(MinLearningRate)); }

    /// <summary>Steps of linear warm-up from near zero to <see cref="LearningRate"/>. Default 0.</summary>
    public int WarmupSteps { get => _warmupSteps; init => _warmupSteps = RequireAtLeast(value, 0, nameof(WarmupSteps)); }

    /// <summary>Decoupled weight decay of AdamW, applied to weight matrices only. Default 0.2.</summary>
    public double WeightDecay { get => _weightDecay; init => _weightDecay = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <summary>AdamW's first-moment decay β₁. Default 0.9.</summary>
    public double Beta1 { get => _beta1; init => _beta1 = RequireUnitInterval(value, nameof(Beta1)); }

    /// <summary>AdamW's second-moment decay β₂. Default 0.98, the CLIP paper's value for training stability.</summary>
    public double Beta2 { get => _beta2; init => _beta2 = RequireUnitInterval(value, nameof(Beta2)); }

    /// <summary>AdamW's ε added to the denominator. Default 1e-6.</summary>
    public double Epsilon { get => _epsilon; init => _epsilon = RequirePositive(value, nameof(Epsilon)); }

    /// <summary>Maximum L2 norm of all gradients together, or <see langword="null"/> for no clipping. Default 1.0.</summary>
    public double? MaxGradientNorm { get => _maxGradientNorm; init => _maxGradientNorm = value is double v ? RequirePositive(v, nameof(MaxGradientNorm)) : null; }

    /// <summary>
    /// Pairs per encoder pass when gradient caching is on, or <see langword="null"/> to encode the whole batch in one
    /// pass. With gradient caching the loss still contrasts every pair of the batch with every other, so the result
    /// equals a full-batch step while only one chunk's activations are held at a time.
    /// </summary>
    public int? GradientCacheChunkSize { get => _gradientCacheChunkSize; init => _gradientCacheChunkSize = value is int v ? RequireAtLeast(v, 1, nameof(GradientCacheChunkSize)) : null; }

    /// <summary>Which parameters are trained. Default <see cref="FineTuningMode.Full"/>.</summary>
    public FineTuningMode FineTuning { get => _fineTuning; init => _fineTuning = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(FineTuning), value, $"{nameof(FineTuning)} must be one of {string.Join(", ", Enum.GetNames<FineTuningMode>())}."); }

    /// <summary>Seed of the shuffling, the augmentation and the caption choice. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Threads that decode and augment images ahead of the model. Default 2.</summary>
    public int DataWorkers { get => _dataWorkers; init => _dataWorkers = RequireAtLeast(value, 1, nameof(DataWorkers)); }

    /// <summary>Batches decoded ahead of the one being trained on. Default 2.</summary>
    public int PrefetchBatches { get => _prefetchBatches; init => _prefetchBatches = RequireAtLeast(value, 1, nameof(PrefetchBatches)); }

    /// <summary>
    /// File of the training checkpoint, or <see langword="null"/> for none. It is written every
    /// <see cref="CheckpointEverySteps"/> steps, at the end and on cancellation, each time through a temporary file
    /// that is then renamed over it, so the file is never half-written.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Steps between checkpoints, or <see langword="null"/> to write one only at the end and on cancellation.</summary>
    public int? CheckpointEverySteps { get => _checkpointEverySteps; init => _checkpointEverySteps = value is int v ? RequireAtLeast(v, 1, nameof(CheckpointEverySteps)) : null; }

    /// <summary>Checkpoint to continue from, or <see langword="null"/> to start at step 0.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Steps between progress lines in the log. Default 10.</summary>
    public int LogEverySteps { get => _logEverySteps; init => _logEverySteps = RequireAtLeast(value, 1, nameof(LogEverySteps)); }

    /// <summary>File that receives one JSON object per step and per validation (JSON Lines, appended), or <see langword="null"/>.</summary>
    public string? MetricsPath { get; init; }

    /// <summary>
    /// Steps between full garbage collections, or 0 for none. Default 20. The trainer's own step disposes every tensor it
    /// creates, so its live-tensor count stays flat without collections (tested on a small model over 300 steps). The
    /// collection remains as a guard against tensors that user callbacks, such as a preprocessing function that creates
    /// tensors outside a dispose scope, leave to the .NET finalizer.
    /// </summary>
    public int CollectGarbageEverySteps { get => _collectGarbageEverySteps; init => _collectGarbageEverySteps = RequireAtLeast(value, 0, nameof(CollectGarbageEverySteps)); }

    /// <summary>What happens to unreadable images and empty captions. Default <see cref="InvalidSamplePolicy.Skip"/>.</summary>
    public InvalidSamplePolicy InvalidSamples { get => _invalidSamples; init => _invalidSamples = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(InvalidSamples), value, $"{nameof(InvalidSamples)} must be one of {string.Join(", ", Enum.GetNames<InvalidSamplePolicy>())}."); }

    /// <summary>
    /// How training and validation images are decoded and preprocessed, or <see langword="null"/> for CLIP's reference
    /// preprocessing at the model's input resolution. A set value must use the model's resolution. Its
    /// <see cref="ImagePreprocessorOptions.AlphaPolicy"/> decides how transparent images are flattened.
    /// </summary>
    public ImagePreprocessorOptions? Preprocessing { get; init; }

    /// <summary>
    /// Augmentation of training images, or <see langword="null"/> for none (validation images are never augmented).
    /// The default is a random resized crop covering 90 % to 100 % of the image, without flips, since a mirrored
    /// image no longer matches a caption that contains "left" or "right".
    /// </summary>
    public ImageAugmentationOptions? Augmentation { get; init; } = new() { MinScale = DefaultMinCropScale, HorizontalFlipProbability = 0 };

    /// <summary>Ranks K at which validation reports retrieval recall. Default 1, 5 and 10.</summary>
    public IReadOnlyList<int> RecallAtK
    {
        get => _recallAtK;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(RecallAtK));
            if (value.Count == 0 || value.Any(k => k < 1))
            {
                throw new ArgumentException($"{nameof(RecallAtK)} must contain at least one rank, each 1 or more; got [{string.Join(", ", value)}].", nameof(RecallAtK));
            }

            _recallAtK = value.ToArray();
        }
    }

    /// <summary>Checks the rules that involve more than one property.</summary>
    /// <exception cref="ArgumentException">A combination of values is invalid.</exception>
    public void Validate()
    {
        if (MinLearningRate > LearningRate)
        {
            throw new ArgumentException($"{nameof(MinLearningRate)} ({MinLearningRate}) must not exceed {nameof(LearningRate)} ({LearningRate}).", nameof(MinLearningRate));
        }

        if (GradientCacheChunkSize is int chunk && chunk > BatchSize)
        {
            throw new ArgumentException($"{nameof(GradientCacheChunkSize)} ({chunk}) must not exceed {nameof(BatchSize)} ({BatchSize}).", nameof(GradientCacheChunkSize));
        }

        if (CheckpointEverySteps is not null && CheckpointPath is null)
        {
            throw new ArgumentException($"{nameof(CheckpointEverySteps)} is set but {nameof(CheckpointPath)} is not; set a checkpoint file.", nameof(CheckpointPath));
        }
    }

    private static int RequireAtLeast(int value, int minimum, string name) =>
        value >= minimum ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be {minimum} or more; got {value}.");

    private static double RequirePositive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number above 0; got {value}.");

    private static double RequireNonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number, 0 or more; got {value}.");

    private static double RequireUnitInterval(double value, string name) =>
        value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1); got {value}.");
}
