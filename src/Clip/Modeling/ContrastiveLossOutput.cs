using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>The three losses of one contrastive step, as 0-dim tensors that the holder disposes.</summary>
/// <param name="Loss">(ImageLoss + TextLoss) / 2, the value to minimise.</param>
/// <param name="ImageLoss">Mean cross-entropy over the rows of logits_per_image.</param>
/// <param name="TextLoss">Mean cross-entropy over the rows of logits_per_text.</param>
public sealed record ContrastiveLossOutput(Tensor Loss, Tensor ImageLoss, Tensor TextLoss) : IDisposable
{
    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        Loss.Dispose();
        ImageLoss.Dispose();
        TextLoss.Dispose();
    }
}
