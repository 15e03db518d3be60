using Clip.Imaging.Augmentation;
using Clip.Modeling;
using Clip.Text;

namespace Clip.Cli.Demo;

/// <summary>Settings of the emoji demo run.</summary>
public sealed record EmojiDemoOptions
{
    /// <summary>Optimiser steps of the default run, sized so that the whole demo fits in 15 minutes on 2 CPU cores.</summary>
    public const int DefaultSteps = 400;

    /// <summary>Pairs per step: the number of negatives each image and caption is contrasted with, plus one.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>Peak AdamW learning rate, reached after the warm-up and decayed with a cosine.</summary>
    public const double DefaultLearningRate = 1e-3;

    /// <summary>
    /// Wall-clock limit of the training stage. Training stops after the step that crosses it, so the whole demo
    /// stays within its budget on a slower machine. The learning-rate schedule is then cut short.
    /// </summary>
    public static readonly TimeSpan DefaultTrainingTimeLimit = TimeSpan.FromMinutes(11);

    /// <summary>Creates the settings.</summary>
    /// <param name="outputDirectory">Where the model, results, report and pictures are written.</param>
    /// <param name="dataDirectory">The emoji dataset folder (prepared when missing).</param>
    /// <param name="cacheDirectory">The npm tarball cache.</param>
    public EmojiDemoOptions(string outputDirectory, string dataDirectory, string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        OutputDirectory = Path.GetFullPath(outputDirectory);
        DataDirectory = Path.GetFullPath(dataDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
    }

    /// <summary>Where the model, results, report and pictures are written.</summary>
    public string OutputDirectory { get; }

    /// <summary>The emoji dataset folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The npm tarball cache.</summary>
    public string CacheDirectory { get; }

    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = DefaultSteps;

    /// <summary>Wall-clock limit of training, or <see langword="null"/> for none.</summary>
    public TimeSpan? TrainingTimeLimit { get; init; } = DefaultTrainingTimeLimit;

    /// <summary>Pairs per step.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>Seed of initialisation, data order, captions and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>When set, use only this many base emoji (for tests); <see langword="null"/> uses all.</summary>
    public int? MaxBaseEmoji { get; init; }

    /// <summary>Number of unseen, other-style example images drawn in the grid picture.</summary>
    public int ExampleCount { get; init; } = 24;

    /// <summary>
    /// Whether training images also get colour jitter and random greyscale, against the shift to a drawing style
    /// with other colours. Off by default: it erases skin tone, which many labels name.
    /// </summary>
    public bool StyleAugmentation { get; init; }

    /// <summary>The training augmentation: the trainer's default crop, plus colour changes when <see cref="StyleAugmentation"/> is set.</summary>
    public ImageAugmentationOptions Augmentation() => StyleAugmentation
        ? new ImageAugmentationOptions
        {
            MinScale = CropMinScale,
            HorizontalFlipProbability = 0,
            Brightness = ColourJitter,
            Contrast = ColourJitter,
            Saturation = ColourJitter,
            Hue = HueJitter,
            GrayscaleProbability = GrayscaleProbability,
        }
        : new ImageAugmentationOptions { MinScale = CropMinScale, HorizontalFlipProbability = 0 };

    // Smallest crop as a share of the image area, the trainer's default. There are no flips, because captions may say left or right.
    private const double CropMinScale = 0.9;

    // torchvision-style colour jitter strengths commonly used against colour shifts (SimCLR uses 0.4 and 0.1).
    private const double ColourJitter = 0.4;
    private const double HueJitter = 0.1;

    // Share of images turned grey.
    private const double GrayscaleProbability = 0.1;

    /// <summary>The architecture trained from scratch.</summary>
    public ClipConfig Model { get; init; } = DefaultModel();

    /// <summary>
    /// The demo architecture: a modified ResNet with one bottleneck per stage, width 32, at 64 px, and a text
    /// transformer of width 128 with four layers over 32 tokens (emoji captions are short).
    /// </summary>
    public static ClipConfig DefaultModel() => new(
        embedDim: 128,
        VisionConfig.ModifiedResNet(imageResolution: 64, width: 32, stageLayers: [1, 1, 1, 1]),
        new TextConfig(contextLength: 32, ClipPresets.PublishedVocabSize, width: 128, heads: 2, layers: 4));
}
