using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// CLIP's symmetric contrastive loss: the mean of the cross-entropy over the rows of <c>logits_per_image</c> and
/// over the rows of <c>logits_per_text</c>, the target of row i being column i.
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>Computes the three losses from both logit matrices.</summary>
    /// <param name="logitsPerImage">[N, N] scaled cosine similarities, images by texts.</param>
    /// <param name="logitsPerText">[N, N], its transpose.</param>
    /// <returns>The losses as 0-dim tensors of the logits' dtype; the caller owns and disposes them.</returns>
    /// <exception cref="ArgumentException">The logits are not square or their shapes differ.</exception>
    public static ContrastiveLossOutput Compute(Tensor logitsPerImage, Tensor logitsPerText)
    {
        ArgumentNullException.ThrowIfNull(logitsPerImage);
        ArgumentNullException.ThrowIfNull(logitsPerText);
        if (logitsPerImage.dim() != 2 || logitsPerImage.shape[0] != logitsPerImage.shape[1])
        {
            throw new ArgumentException($"logitsPerImage must be square [N, N], got [{string.Join(", ", logitsPerImage.shape)}].", nameof(logitsPerImage));
        }

        if (!logitsPerText.shape.SequenceEqual(logitsPerImage.shape))
        {
            throw new ArgumentException(
                $"logitsPerText must have the shape of logitsPerImage [{string.Join(", ", logitsPerImage.shape)}], got [{string.Join(", ", logitsPerText.shape)}].",
                nameof(logitsPerText));
        }

        using var scope = NewDisposeScope();
        var targets = ScalarArguments.Range(0, logitsPerImage.shape[0], logitsPerImage.device);
        var imageLoss = nn.functional.cross_entropy(logitsPerImage, targets);
        var textLoss = nn.functional.cross_entropy(logitsPerText, targets);
        var loss = imageLoss.Plus(textLoss).DivScalar(2);
        return new ContrastiveLossOutput(
            loss.MoveToOuterDisposeScope(),
            imageLoss.MoveToOuterDisposeScope(),
            textLoss.MoveToOuterDisposeScope());
    }
}
