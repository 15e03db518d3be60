using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Cli.Emoji;

/// <summary>Flattens transparent emoji PNGs onto a white background.</summary>
/// <remarks>
/// Image preprocessing drops the alpha channel, and the colour stored under a fully transparent pixel is
/// arbitrary (often black), so an emoji read without compositing would sit on noise.
/// </remarks>
public static class EmojiImageCompositor
{
    private const float MaxChannel = byte.MaxValue;

    /// <summary>Composites an image over white: <c>out = alpha * colour + (1 - alpha) * 255</c> per channel, rounded.</summary>
    /// <param name="source">The image with straight (not premultiplied) alpha.</param>
    /// <returns>An opaque RGB image of the same size; the caller disposes it.</returns>
    public static Image<Rgb24> CompositeOverWhite(Image<Rgba32> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var result = new Image<Rgb24>(source.Width, source.Height);
        source.ProcessPixelRows(result, (sourceRows, resultRows) =>
        {
            for (int y = 0; y < sourceRows.Height; y++)
            {
                Span<Rgba32> sourceRow = sourceRows.GetRowSpan(y);
                Span<Rgb24> resultRow = resultRows.GetRowSpan(y);
                for (int x = 0; x < sourceRow.Length; x++)
                {
                    Rgba32 pixel = sourceRow[x];
                    float alpha = pixel.A / MaxChannel;
                    resultRow[x] = new Rgb24(Blend(pixel.R, alpha), Blend(pixel.G, alpha), Blend(pixel.B, alpha));
                }
            }
        });

        return result;
    }

    /// <summary>Reads a PNG (or any format ImageSharp decodes), composites it over white and writes it as PNG.</summary>
    /// <param name="sourcePath">The input image.</param>
    /// <param name="destinationPath">The output PNG; its folder must exist.</param>
    public static void CompositeFile(string sourcePath, string destinationPath)
    {
        using Image<Rgba32> source = Image.Load<Rgba32>(sourcePath);
        using Image<Rgb24> flat = CompositeOverWhite(source);
        flat.SaveAsPng(destinationPath);
    }

    private static byte Blend(byte channel, float alpha) =>
        (byte)MathF.Round((alpha * channel) + ((1 - alpha) * MaxChannel));
}
