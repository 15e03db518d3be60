using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// CLIP's symmetric contrastive loss, computed from unnormalised embeddings so that its gradient with respect to
/// the embeddings can be cached.
/// </summary>
/// <remarks>Letters: N pairs in the batch, E embedding width.</remarks>
internal static class ContrastiveObjective
{
    /// <summary>Returns the loss of a batch as a scalar tensor the caller owns.</summary>
    /// <param name="imageEmbeddings">[N, E] image embeddings, not normalised.</param>
    /// <param name="textEmbeddings">[N, E] text embeddings of the matching captions, not normalised.</param>
    /// <param name="logitScale">The scalar log of the logit scale.</param>
    /// <remarks>
    /// Both embeddings are divided by their L2 norm, logits are exp(logitScale) · I · Tᵀ, and the loss is the mean of
    /// the cross-entropy over the rows of the logits and over their columns, row i's target being i.
    /// </remarks>
    public static Tensor Loss(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor logitScale)
    {
        using var scope = NewDisposeScope();
        long pairs = imageEmbeddings.shape[0];

        Tensor images = imageEmbeddings / imageEmbeddings.norm(1, keepdim: true);
        Tensor texts = textEmbeddings / textEmbeddings.norm(1, keepdim: true);

        Tensor logitsPerImage = logitScale.exp() * images.matmul(texts.t()); // [N, E] @ [E, N] -> [N, N]
        Tensor targets = ScalarArguments.Range(0, pairs, logitsPerImage.device);

        Tensor imageLoss = nn.functional.cross_entropy(logitsPerImage, targets);
        Tensor textLoss = nn.functional.cross_entropy(logitsPerImage.t(), targets);
        return imageLoss.Plus(textLoss).DivScalar(2).MoveToOuterDisposeScope();
    }
}
