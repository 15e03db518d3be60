using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>A decoded batch: pixels, captions and where it came from in the data. The consumer disposes it.</summary>
internal sealed class TrainingBatch : IDisposable
{
    public TrainingBatch(Tensor pixels, string[] captions, DataPosition start, DataPosition next, IReadOnlyList<string> skipped)
    {
        Pixels = pixels;
        Captions = captions;
        Start = start;
        Next = next;
        Skipped = skipped;
    }

    /// <summary>[B, 3, R, R] float32 preprocessed images.</summary>
    public Tensor Pixels { get; }

    /// <summary>B captions, caption i describing image i.</summary>
    public string[] Captions { get; }

    /// <summary>Position of the batch's first sample.</summary>
    public DataPosition Start { get; }

    /// <summary>Position right after the batch, where the next batch starts.</summary>
    public DataPosition Next { get; }

    /// <summary>One line per sample skipped while filling this batch: the example's name and the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>Frees the pixel tensor.</summary>
    public void Dispose() => Pixels.Dispose();
}
