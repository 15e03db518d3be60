using System.Diagnostics;
using Clip.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SixLabors.ImageSharp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// Trains or fine-tunes a CLIP model on (image, caption) pairs on the CPU. It uses AdamW with decoupled weight decay
/// on weight matrices, a cosine learning-rate schedule with linear warm-up, gradient-norm clipping and a logit scale
/// clamped at ln 100. Gradient caching makes batches larger than memory allows affordable, checkpoints are atomic and
/// resume exactly, and validation measures retrieval after each epoch.
/// </summary>
/// <remarks>
/// A trainer is not thread-safe, so run one <c>Train</c> call at a time. Training changes the model in place and
/// leaves it in evaluation mode, with <c>requires_grad</c> off on the parameters that the fine-tuning mode froze.
/// </remarks>
public sealed partial class ClipTrainer
{
    // Upper bound of the logit scale, ln 100: the CLIP paper clips the temperature so that logits are at most 100× the cosine.
    private static readonly double MaxLogitScale = Math.Log(100);

    // Warnings about skipped samples: the first ones in full, then one line per this many.
    private const int SkipWarningsInFull = 10;
    private const int SkipWarningInterval = 100;

    private readonly TrainableClip _model;
    private readonly Func<IReadOnlyList<string>, Tensor> _tokenize;
    private readonly Func<Image, Random, Tensor> _trainPreprocess;
    private readonly Func<Image, Tensor> _evalPreprocess;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    /// <param name="model">The model to train in place; it may be freshly created or loaded from a checkpoint.</param>
    /// <param name="tokenizer">Tokenizes captions; rows are cut to the model's context length when too long.</param>
    /// <param name="options">Settings of the run; checked here.</param>
    /// <param name="logger">Receives the configuration, progress lines, warnings and checkpoints; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are inconsistent with each other or with the model.</exception>
    public ClipTrainer(ClipModel model, ClipTokenizer tokenizer, TrainingOptions options, ILogger? logger = null)
        : this(model, tokenizer, options, logger, TrainingImages.Create(RequireModel(model).Config.Vision.ImageResolution, options))
    {
    }

    private ClipTrainer(ClipModel model, ClipTokenizer tokenizer, TrainingOptions options, ILogger? logger, (Func<Image, Random, Tensor> Train, Func<Image, Tensor> Evaluate) images)
        : this(TrainableClip.From(model), CreateTokenize(model, tokenizer), images.Train, images.Evaluate, options, logger)
    {
    }

    internal ClipTrainer(
        TrainableClip model,
        Func<IReadOnlyList<string>, Tensor> tokenize,
        Func<Image, Random, Tensor> trainPreprocess,
        Func<Image, Tensor> evalPreprocess,
        TrainingOptions options,
        ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _tokenize = tokenize;
        _trainPreprocess = trainPreprocess;
        _evalPreprocess = evalPreprocess;
        Options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Settings of the runs of this trainer.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Trains on <paramref name="training"/> for the configured epochs or steps.</summary>
    /// <param name="training">Training examples with their caption sampler and image transform.</param>
    /// <param name="validation">Examples measured after each epoch, or <see langword="null"/> for no validation.</param>
    /// <param name="progress">Receives the state after every step, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">
    /// Stops the run after the current step; a checkpoint is written when <see cref="TrainingOptions.CheckpointPath"/>
    /// is set, and the result's <see cref="TrainingResult.StopReason"/> is <see cref="TrainingStopReason.Cancelled"/>.
    /// </param>
    /// <returns>The history of the run and how it ended.</returns>
    /// <exception cref="ArgumentException">The data has fewer valid examples than one batch.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient norm was not finite.</exception>
    /// <exception cref="InvalidDataException">
    /// A sample is invalid and <see cref="TrainingOptions.InvalidSamples"/> is <see cref="InvalidSamplePolicy.Throw"/>.
    /// </exception>
    public TrainingResult Train(
        TrainingDataset training,
        TrainingDataset? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        int exampleCount = training.Examples.Count;
        if (exampleCount < Options.BatchSize)
        {
            throw new ArgumentException($"The training data has {exampleCount} examples, fewer than one batch of {Options.BatchSize}; lower BatchSize or add data.", nameof(training));
        }

        var run = new TrainingRun(this, training, validation, progress, cancellationToken);
        return run.Execute();
    }

    /// <summary>Trains on pairs given as examples; see <see cref="Train(TrainingDataset, TrainingDataset?, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
    /// <param name="training">Training examples; each draw uses one of an example's captions, picked at random.</param>
    /// <param name="validation">Examples measured after each epoch, or <see langword="null"/>.</param>
    /// <param name="progress">Receives the state after every step, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run after the current step, writing a checkpoint.</param>
    /// <returns>The history of the run and how it ended.</returns>
    public TrainingResult Train(
        IEnumerable<TrainingExample> training,
        IEnumerable<TrainingExample>? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Train(new TrainingDataset(training), validation is null ? null : new TrainingDataset(validation), progress, cancellationToken);

    private static ClipModel RequireModel(ClipModel model) => model ?? throw new ArgumentNullException(nameof(model));

    private static Func<IReadOnlyList<string>, Tensor> CreateTokenize(ClipModel model, ClipTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var settings = new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength, Truncate = true };
        return captions => tokenizer.Tokenize(captions, settings);
    }

    private static double LogitScaleValue(Parameter logitScale) => Math.Exp(logitScale.item<float>());
}
