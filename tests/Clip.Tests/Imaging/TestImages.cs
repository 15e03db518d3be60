using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Tests.Imaging;

/// <summary>Synthetic images for the preprocessing tests, encoded with ImageSharp's encoders.</summary>
internal static class TestImages
{
    /// <summary>
    /// A smooth colour gradient with a dark disc, so that resizing, orientation and colour mistakes all
    /// show: red grows to the right, green downwards, blue is constant, alpha is 255 unless asked.
    /// </summary>
    public static Image<Rgba32> Gradient(int width, int height, bool withAlpha = false)
    {
        var image = new Image<Rgba32>(width, height);
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < height; y++)
            {
                Span<Rgba32> row = accessor.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    double dx = x - width * 0.3;
                    double dy = y - height * 0.4;
                    bool disc = dx * dx + dy * dy < Math.Pow(Math.Min(width, height) * 0.2, 2);
                    byte r = (byte)(disc ? 20 : 40 + 200 * x / Math.Max(1, width - 1));
                    byte g = (byte)(disc ? 20 : 30 + 200 * y / Math.Max(1, height - 1));
                    byte a = withAlpha ? (byte)(255 * x / Math.Max(1, width - 1)) : (byte)255;
                    row[x] = new Rgba32(r, g, 120, a);
                }
            }
        });
        return image;
    }

    /// <summary>Encodes <paramref name="image"/> with <paramref name="encoder"/>.</summary>
    public static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>Whether two tensors have the same shape and exactly equal elements.</summary>
    public static bool SameValues(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }
}
