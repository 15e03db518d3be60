using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// Computes the gradients of one contrastive step over a batch larger than the encoders can hold activations for,
/// by gradient caching: the exact full-batch gradients, computed chunk by chunk.
/// </summary>
/// <remarks>
/// <para>
/// The contrastive loss of a batch couples every pair with every other, so it cannot be split into independent
/// per-chunk losses: accumulating the gradients of small batches optimises a different objective with fewer
/// negatives. Instead the step runs in three phases. (1) Every chunk is embedded without an autograd graph.
/// (2) The loss is computed from all N embeddings, and its gradient with respect to each embedding is taken. The
/// logit scale receives its whole gradient in this phase. (3) Each chunk is embedded again with a graph and back-propagates its
/// slice of the cached embedding gradient, which by the chain rule adds its exact share to every parameter's gradient.
/// </para>
/// <para>
/// The result equals a full-batch step as long as the encoders compute the same function in both passes. That holds
/// for CLIP's transformers (no dropout). A ResNet in training mode normalises each chunk with the chunk's own
/// BatchNorm statistics, which differ from the whole batch's, and updates its running statistics once per chunk
/// instead of once per batch; with BatchNorm in evaluation mode (frozen statistics) the equality holds again.
/// The running statistics touched by the first, graph-free pass are restored, so that pass leaves no trace.
/// </para>
/// </remarks>
internal static class GradientCache
{
    /// <summary>
    /// Computes the loss of the batch and adds the gradient of every parameter to its <c>grad</c>; returns the loss.
    /// </summary>
    /// <param name="model">Module that owns both encoders; its BatchNorm running statistics are kept across the first pass.</param>
    /// <param name="encodeImage">[n, 3, R, R] pixels to [n, E] embeddings, not normalised.</param>
    /// <param name="encodeText">[n, L] token ids to [n, E] embeddings, not normalised.</param>
    /// <param name="logitScale">The scalar parameter that holds the log of the logit scale.</param>
    /// <param name="pixels">[N, 3, R, R] images of the batch.</param>
    /// <param name="tokens">[N, L] tokenized captions of the batch, row i describing image i.</param>
    /// <param name="chunkSize">Pairs per encoder pass, or <see langword="null"/> (or N or more) for one plain full-batch pass.</param>
    /// <returns>The batch loss; it may be non-finite, and then the parameters' gradients are meaningless.</returns>
    public static double Accumulate(
        nn.Module model,
        Func<Tensor, Tensor> encodeImage,
        Func<Tensor, Tensor> encodeText,
        Tensor logitScale,
        Tensor pixels,
        Tensor tokens,
        int? chunkSize)
    {
        using var scope = NewDisposeScope();
        long pairs = pixels.shape[0];
        if (tokens.shape[0] != pairs)
        {
            throw new ArgumentException($"The batch has {pairs} images but {tokens.shape[0]} captions; each image needs one caption.", nameof(tokens));
        }

        if (chunkSize is not int chunk || chunk >= pairs)
        {
            Tensor fullLoss = ContrastiveObjective.Loss(encodeImage(pixels), encodeText(tokens), logitScale);
            fullLoss.backward();
            return fullLoss.item<float>();
        }

        // Phase 1: embeddings of all chunks, no graph.
        Tensor imageEmbeddings;
        Tensor textEmbeddings;
        using (var restore = BatchNormStatistics.Snapshot(model))
        using (no_grad())
        {
            imageEmbeddings = cat(Chunks(pixels, chunk).Select(encodeImage).ToArray(), 0); // n chunks of [c, E] -> [N, E]
            textEmbeddings = cat(Chunks(tokens, chunk).Select(encodeText).ToArray(), 0);
        }

        // Phase 2: the loss over the whole batch and its gradient with respect to the embeddings.
        Tensor imageLeaf = imageEmbeddings.detach().requires_grad_(true);
        Tensor textLeaf = textEmbeddings.detach().requires_grad_(true);
        Tensor loss = ContrastiveObjective.Loss(imageLeaf, textLeaf, logitScale);
        loss.backward();
        double lossValue = loss.item<float>();
        Tensor imageGradient = imageLeaf.grad!;
        Tensor textGradient = textLeaf.grad!;

        // Phase 3: re-embed each chunk with a graph and push its slice of the cached gradient into the parameters.
        BackwardChunks(pixels, imageGradient, chunk, encodeImage);
        BackwardChunks(tokens, textGradient, chunk, encodeText);
        return lossValue;
    }

    private static void BackwardChunks(Tensor inputs, Tensor embeddingGradient, int chunk, Func<Tensor, Tensor> encode)
    {
        long count = inputs.shape[0];
        for (long start = 0; start < count; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(chunk, count - start);
            Tensor embeddings = encode(inputs.narrow(0, start, length)); // [c, E]
            if (!embeddings.requires_grad)
            {
                // A frozen tower (locked-image or locked-text tuning) has no parameter to receive a gradient.
                return;
            }

            // d(sum(e · g))/de = g, so this backward adds gᵀ · de/dθ, the chunk's share of the full-batch gradient.
            Tensor surrogate = (embeddings * embeddingGradient.narrow(0, start, length)).sum();
            surrogate.backward();
        }
    }

    private static IEnumerable<Tensor> Chunks(Tensor batch, int chunk)
    {
        long count = batch.shape[0];
        for (long start = 0; start < count; start += chunk)
        {
            yield return batch.narrow(0, start, Math.Min(chunk, count - start));
        }
    }
}
