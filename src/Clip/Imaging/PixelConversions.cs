using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Imaging;

/// <summary>
/// Conversions between ImageSharp images and <see cref="PixelBuffer"/>s, with Pillow's integer
/// arithmetic for premultiplying alpha.
/// </summary>
internal static class PixelConversions
{
    private const int Grey = 1;
    private const int GreyAlpha = 2;
    private const int Rgb = 3;
    private const int Rgba = 4;
    private const int MaxSample = 255;

    /// <summary>
    /// Copies the pixels of <paramref name="image"/> into a buffer of <paramref name="channels"/>
    /// channels: 1 takes red (grey images have R = G = B), 2 takes red and alpha, 3 RGB, 4 RGBA.
    /// </summary>
    public static PixelBuffer ToBuffer(Image<Rgba32> image, int channels)
    {
        var buffer = new PixelBuffer(image.Width, image.Height, channels);
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                ReadOnlySpan<Rgba32> row = accessor.GetRowSpan(y);
                Span<byte> output = buffer.Row(y);
                switch (channels)
                {
                    case Grey:
                        for (int x = 0; x < row.Length; x++)
                        {
                            output[x] = row[x].R;
                        }

                        break;
                    case GreyAlpha:
                        for (int x = 0; x < row.Length; x++)
                        {
                            output[2 * x] = row[x].R;
                            output[2 * x + 1] = row[x].A;
                        }

                        break;
                    case Rgb:
                        for (int x = 0; x < row.Length; x++)
                        {
                            output[3 * x] = row[x].R;
                            output[3 * x + 1] = row[x].G;
                            output[3 * x + 2] = row[x].B;
                        }

                        break;
                    default:
                        System.Runtime.InteropServices.MemoryMarshal.AsBytes(row).CopyTo(output);
                        break;
                }
            }
        });
        return buffer;
    }

    /// <summary>
    /// Composites every pixel of <paramref name="image"/> over <paramref name="background"/> in place
    /// and makes it opaque: out = (colour * alpha + background * (255 - alpha)) / 255, rounded.
    /// </summary>
    public static void CompositeOver(Image<Rgba32> image, Rgb24 background)
    {
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgba32> row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    Rgba32 p = row[x];
                    int a = p.A;
                    int inverse = MaxSample - a;
                    row[x] = new Rgba32(
                        (byte)((p.R * a + background.R * inverse + MaxSample / 2) / MaxSample),
                        (byte)((p.G * a + background.G * inverse + MaxSample / 2) / MaxSample),
                        (byte)((p.B * a + background.B * inverse + MaxSample / 2) / MaxSample),
                        byte.MaxValue);
                }
            }
        });
    }

    /// <summary>
    /// Multiplies the colour channels of a buffer with alpha (2 or 4 channels) by alpha in place, as
    /// Pillow converts RGBA to RGBa and LA to La.
    /// </summary>
    public static void Premultiply(PixelBuffer buffer)
    {
        int channels = buffer.Channels;
        int alphaIndex = channels - 1;
        byte[] data = buffer.Data;
        for (int i = 0; i < data.Length; i += channels)
        {
            int alpha = data[i + alphaIndex];
            for (int c = 0; c < alphaIndex; c++)
            {
                data[i + c] = PremultiplySample(data[i + c], alpha);
            }
        }
    }

    /// <summary>Divides the colour channels of a buffer with alpha by alpha in place, as Pillow converts RGBa back to RGBA.</summary>
    public static void Unpremultiply(PixelBuffer buffer)
    {
        int channels = buffer.Channels;
        int alphaIndex = channels - 1;
        byte[] data = buffer.Data;
        for (int i = 0; i < data.Length; i += channels)
        {
            int alpha = data[i + alphaIndex];
            for (int c = 0; c < alphaIndex; c++)
            {
                data[i + c] = UnpremultiplySample(data[i + c], alpha);
            }
        }
    }

    /// <summary>Premultiplies the colours of an image in place with Pillow's arithmetic.</summary>
    public static void Premultiply(Image<Rgba32> image) => ForEachPixel(image, (ref Rgba32 p) =>
        p = new Rgba32(PremultiplySample(p.R, p.A), PremultiplySample(p.G, p.A), PremultiplySample(p.B, p.A), p.A));

    /// <summary>Divides the colours of an image by alpha in place with Pillow's arithmetic.</summary>
    public static void Unpremultiply(Image<Rgba32> image) => ForEachPixel(image, (ref Rgba32 p) =>
        p = new Rgba32(UnpremultiplySample(p.R, p.A), UnpremultiplySample(p.G, p.A), UnpremultiplySample(p.B, p.A), p.A));

    /// <summary>c * a / 255 with Pillow's rounding shortcut ((t >> 8) + t) >> 8, t = c * a + 128.</summary>
    private static byte PremultiplySample(int colour, int alpha)
    {
        int t = colour * alpha + 128;
        return (byte)(((t >> 8) + t) >> 8);
    }

    /// <summary>Unchanged where alpha is 0 or 255, else min(255, 255 * c / alpha) in integer division.</summary>
    private static byte UnpremultiplySample(int colour, int alpha) =>
        alpha is 0 or MaxSample ? (byte)colour : (byte)Math.Min(MaxSample, MaxSample * colour / alpha);

    /// <summary>
    /// Converts to 3-channel RGB as Pillow's convert("RGB") does after the resize: grey is replicated,
    /// alpha is dropped without compositing.
    /// </summary>
    public static PixelBuffer ToRgb(PixelBuffer buffer)
    {
        if (buffer.Channels == Rgb)
        {
            return buffer;
        }

        int channels = buffer.Channels;
        var result = new PixelBuffer(buffer.Width, buffer.Height, Rgb);
        byte[] input = buffer.Data;
        byte[] output = result.Data;
        int pixels = buffer.Width * buffer.Height;
        for (int p = 0; p < pixels; p++)
        {
            int i = p * channels;
            int o = p * Rgb;
            if (channels == Rgba)
            {
                output[o] = input[i];
                output[o + 1] = input[i + 1];
                output[o + 2] = input[i + 2];
            }
            else
            {
                output[o] = output[o + 1] = output[o + 2] = input[i];
            }
        }

        return result;
    }

    /// <summary>Copies a 3-channel buffer into a new ImageSharp image.</summary>
    public static Image<Rgb24> ToImage(PixelBuffer rgb) =>
        Image.LoadPixelData<Rgb24>(rgb.Data, rgb.Width, rgb.Height);

    private delegate void PixelAction(ref Rgba32 pixel);

    private static void ForEachPixel(Image<Rgba32> image, PixelAction action)
    {
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgba32> row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    action(ref row[x]);
                }
            }
        });
    }
}
