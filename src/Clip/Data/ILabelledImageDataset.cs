using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Data;

/// <summary>
/// A classification dataset: a fixed number of images, each with one class index into <see cref="ClassNames"/>.
/// </summary>
public interface ILabelledImageDataset
{
    /// <summary>Names of the classes, indexed by class index.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Returns the class index of the image at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    int GetLabel(int index);

    /// <summary>Decodes the image at <paramref name="index"/> as 8-bit RGB.</summary>
    /// <returns>A new image that the caller owns and disposes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    Image<Rgb24> LoadImage(int index);
}
