namespace Clip.Imaging;

/// <summary>The filter that resizes images.</summary>
public enum ImageResampler
{
    /// <summary>
    /// Our reproduction of Pillow's antialiased bicubic in fixed-point arithmetic, with Pillow's mode
    /// rules. Bit-exact with the reference pipeline of pretrained CLIP models; the default.
    /// </summary>
    PillowBicubic,

    /// <summary>ImageSharp's bicubic (a = -0.5) in floating point. Close to the reference, not equal.</summary>
    ImageSharpBicubic,

    /// <summary>ImageSharp's bilinear (triangle) filter.</summary>
    ImageSharpBilinear,

    /// <summary>ImageSharp's Lanczos filter with three lobes.</summary>
    ImageSharpLanczos3,

    /// <summary>ImageSharp's nearest-neighbour sampling.</summary>
    ImageSharpNearestNeighbor,
}
