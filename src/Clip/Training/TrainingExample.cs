using SixLabors.ImageSharp;

namespace Clip.Training;

/// <summary>One training image with the captions that describe it, and optionally a class label.</summary>
/// <remarks>The image is read only when the data pipeline needs it, on a worker thread, once per epoch.</remarks>
public sealed class TrainingExample
{
    private readonly Func<Image> _loadImage;

    private TrainingExample(string name, Func<Image> loadImage, IReadOnlyList<string> captions, int? label)
    {
        ArgumentNullException.ThrowIfNull(captions);
        if (label is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, $"A class label must be 0 or more; got {label} for '{name}'.");
        }

        Name = name;
        _loadImage = loadImage;
        Captions = captions.ToArray();
        Label = label;
    }

    /// <summary>Path or name of the image, used in log lines and error messages.</summary>
    public string Name { get; }

    /// <summary>Captions of the image; each epoch one of them is drawn per use (see <see cref="TrainingDataset.CaptionSampler"/>).</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>Class index of the image for zero-shot validation, or <see langword="null"/>.</summary>
    public int? Label { get; }

    /// <summary>Creates an example whose image is read from <paramref name="imagePath"/> when needed.</summary>
    /// <param name="imagePath">Image file in any format ImageSharp decodes.</param>
    /// <param name="captions">One or more captions of the image.</param>
    /// <param name="label">Class index for zero-shot validation, or <see langword="null"/>.</param>
    public static TrainingExample FromFile(string imagePath, IReadOnlyList<string> captions, int? label = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        return new TrainingExample(imagePath, () => Image.Load(imagePath), captions, label);
    }

    /// <summary>Creates an example whose image comes from <paramref name="loadImage"/>.</summary>
    /// <param name="name">Name of the image in log lines and error messages.</param>
    /// <param name="loadImage">
    /// Returns a new image on each call; the pipeline disposes it. It may be called from several threads at once.
    /// </param>
    /// <param name="captions">One or more captions of the image.</param>
    /// <param name="label">Class index for zero-shot validation, or <see langword="null"/>.</param>
    public static TrainingExample FromImage(string name, Func<Image> loadImage, IReadOnlyList<string> captions, int? label = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(loadImage);
        return new TrainingExample(name, loadImage, captions, label);
    }

    /// <summary>Reads the image; the caller disposes it.</summary>
    internal Image LoadImage() => _loadImage();
}
