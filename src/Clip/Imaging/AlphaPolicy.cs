namespace Clip.Imaging;

/// <summary>What happens to the alpha channel of transparent images.</summary>
public enum AlphaPolicy
{
    /// <summary>
    /// The reference pipeline's behaviour, needed for parity with pretrained models: images with alpha
    /// are resized with premultiplied alpha and the alpha channel is then dropped, without compositing.
    /// Transparent areas usually come out black, and when no resize happens the colour values stored
    /// under transparent pixels pass through unchanged.
    /// </summary>
    Reference,

    /// <summary>
    /// Composite the image over <see cref="ImagePreprocessorOptions.Background"/> before resizing, so
    /// that transparent areas show that colour. What icons, logos and emoji need.
    /// </summary>
    CompositeOverBackground,
}
