namespace Clip.Imaging;

/// <summary>
/// The Pillow image mode a source file opens as. It decides how the reference pipeline resizes it:
/// grey and RGB images per channel, images with alpha premultiplied, palette and bilevel images with
/// nearest neighbour.
/// </summary>
internal enum SourceMode
{
    /// <summary>Pillow mode "L": one 8-bit grey channel.</summary>
    Grey,

    /// <summary>Pillow mode "LA": grey and alpha.</summary>
    GreyAlpha,

    /// <summary>Pillow mode "RGB".</summary>
    Rgb,

    /// <summary>Pillow mode "RGBA".</summary>
    Rgba,

    /// <summary>Pillow mode "P": palette indices.</summary>
    Palette,

    /// <summary>Pillow mode "1": one bit per pixel.</summary>
    Bilevel,
}
