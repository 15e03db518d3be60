using static TorchSharp.torch;

namespace Clip.Imaging;

/// <summary>
/// The result of a batch that skips invalid images: the pixels of the valid ones, their positions in
/// the input, and the skipped images with the reason.
/// </summary>
public sealed class PreprocessedBatch : IDisposable
{
    internal PreprocessedBatch(Tensor pixels, IReadOnlyList<int> indices, IReadOnlyList<SkippedImage> skipped)
    {
        Pixels = pixels;
        Indices = indices;
        Skipped = skipped;
    }

    /// <summary>Float32 CPU tensor [K, 3, R, R] of the K valid images in input order; disposed with this object.</summary>
    public Tensor Pixels { get; }

    /// <summary>Input index of each row of <see cref="Pixels"/>.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The images left out, in input order.</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>Disposes <see cref="Pixels"/>.</summary>
    public void Dispose() => Pixels.Dispose();
}
