using Clip.Text;
using Clip.Training;
using Microsoft.Extensions.Logging;

namespace Clip;

public sealed partial class ClipModel
{
    /// <summary>
    /// Trains or fine-tunes this model in place on (image, caption) pairs; a shortcut for
    /// <see cref="ClipTrainer.Train(TrainingDataset, TrainingDataset?, IProgress{TrainingProgress}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="tokenizer">Tokenizes the captions.</param>
    /// <param name="training">Training examples, with an optional caption sampler and image transform.</param>
    /// <param name="options">Settings of the run; <see langword="null"/> for the defaults.</param>
    /// <param name="validation">Examples measured after each epoch, or <see langword="null"/>.</param>
    /// <param name="progress">Receives the state after every step, or <see langword="null"/>.</param>
    /// <param name="logger">Receives the configuration, progress lines and warnings, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run after the current step and writes a checkpoint.</param>
    /// <returns>The per-step history and how the run ended.</returns>
    /// <exception cref="TrainingDivergedException">A loss or gradient norm was not finite.</exception>
    public TrainingResult Train(
        ClipTokenizer tokenizer,
        TrainingDataset training,
        TrainingOptions? options = null,
        TrainingDataset? validation = null,
        IProgress<TrainingProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default) =>
        new ClipTrainer(this, tokenizer, options ?? new TrainingOptions(), logger).Train(training, validation, progress, cancellationToken);
}
