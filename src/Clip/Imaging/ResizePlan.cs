using SixLabors.ImageSharp;

namespace Clip.Imaging;

/// <summary>
/// The geometry of one preprocessing run: the source region to use, the size it is resized to, and
/// the window of the resized image that is kept.
/// </summary>
internal sealed record ResizePlan(Rectangle SourceRegion, int ResizedWidth, int ResizedHeight, CropWindow Crop)
{
    /// <summary>
    /// The reference geometry for a <paramref name="width"/> x <paramref name="height"/> image: the shorter
    /// side to <paramref name="resolution"/> and the longer to int(resolution * long / short) (truncated,
    /// as torchvision's Resize computes it), then the centered square; or both sides to the resolution
    /// for <see cref="CropMode.Stretch"/>.
    /// </summary>
    public static ResizePlan ForWholeImage(int width, int height, int resolution, CropMode crop, string sourceName)
    {
        var whole = new Rectangle(0, 0, width, height);
        if (crop == CropMode.Stretch)
        {
            return new ResizePlan(whole, resolution, resolution, CropWindow.Whole(resolution, resolution));
        }

        int shorter = Math.Min(width, height);
        int longer = Math.Max(width, height);

        // Python's int(n * long / short): an exact integer product, one correctly rounded division, truncation.
        double scaledLonger = (double)((long)resolution * longer) / shorter;
        if (scaledLonger > int.MaxValue)
        {
            throw new InvalidImageException(sourceName, InvalidImageReason.TooLarge,
                $"the aspect ratio of {width}x{height} makes the resized longer side exceed {int.MaxValue} pixels; use CropMode.Stretch for such images.");
        }

        int resizedLonger = (int)scaledLonger;
        (int resizedWidth, int resizedHeight) = width <= height ? (resolution, resizedLonger) : (resizedLonger, resolution);
        return new ResizePlan(whole, resizedWidth, resizedHeight, CropWindow.Center(resizedWidth, resizedHeight, resolution));
    }
}
