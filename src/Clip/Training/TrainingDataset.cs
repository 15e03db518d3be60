using SixLabors.ImageSharp;

namespace Clip.Training;

/// <summary>Draws the caption that an example is trained with this time.</summary>
/// <param name="example">The example being loaded.</param>
/// <param name="random">Random source seeded from the run seed, the epoch and the example, so draws repeat on resume.</param>
/// <returns>The caption; an empty or blank one makes the example invalid.</returns>
public delegate string CaptionSampler(TrainingExample example, Random random);

/// <summary>Changes an image after decoding and before CLIP's preprocessing (for example to composite it over white).</summary>
/// <param name="image">The decoded image; the transform may change it in place and return it, or return a new one.</param>
/// <param name="random">Random source seeded from the run seed, the epoch and the example.</param>
/// <returns>The image to preprocess. When it differs from <paramref name="image"/>, the pipeline disposes both.</returns>
public delegate Image ImageTransform(Image image, Random random);

/// <summary>Training examples, and how each one becomes a (caption, image) pair when it is drawn.</summary>
public sealed class TrainingDataset
{
    /// <summary>Creates a dataset.</summary>
    /// <param name="examples">The examples; the list is copied.</param>
    /// <param name="captionSampler">Picks the caption per draw; <see langword="null"/> picks one of the example's captions uniformly.</param>
    /// <param name="imageTransform">Runs on each decoded image before preprocessing, or <see langword="null"/>.</param>
    /// <param name="classNames">Class names indexed by <see cref="TrainingExample.Label"/>, for zero-shot validation; or <see langword="null"/>.</param>
    public TrainingDataset(IEnumerable<TrainingExample> examples, CaptionSampler? captionSampler = null, ImageTransform? imageTransform = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        Examples = examples.ToArray();
        CaptionSampler = captionSampler ?? SampleUniformly;
        ImageTransform = imageTransform;
        ClassNames = classNames?.ToArray();
        if (ClassNames is not null && Examples.FirstOrDefault(e => e.Label >= ClassNames.Count) is { } outOfRange)
        {
            throw new ArgumentException($"Example '{outOfRange.Name}' has label {outOfRange.Label}, but there are only {ClassNames.Count} class names.", nameof(classNames));
        }
    }

    /// <summary>The examples in their stored order.</summary>
    public IReadOnlyList<TrainingExample> Examples { get; }

    /// <summary>Picks the caption of each draw.</summary>
    public CaptionSampler CaptionSampler { get; }

    /// <summary>Runs on each decoded image before preprocessing, or <see langword="null"/>.</summary>
    public ImageTransform? ImageTransform { get; }

    /// <summary>Class names indexed by label, or <see langword="null"/> when the data has no classes.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    private static string SampleUniformly(TrainingExample example, Random random) =>
        example.Captions.Count == 0 ? string.Empty : example.Captions[random.Next(example.Captions.Count)];
}
