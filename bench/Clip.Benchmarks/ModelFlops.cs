using Clip.Modeling;

namespace Clip.Benchmarks;

/// <summary>
/// Analytic floating-point operation counts of CLIP's encoders, derived from a configuration.
/// </summary>
/// <remarks>
/// Only matrix products and convolutions are counted, at two operations per multiply-add; LayerNorm, softmax,
/// activations, pooling and additions are left out (a few percent of the total for the published models). Causal
/// attention counts the full L x L score matrix, because the kernels compute it. Shapes: N tokens, W width,
/// E embedding width, R resolution, C channels.
/// </remarks>
internal static class ModelFlops
{
    /// <summary>Two operations (a multiply and an add) per multiply-add.</summary>
    private const double OperationsPerMultiplyAdd = 2.0;

    /// <summary>Operations of <c>EncodeImage</c> for a batch of <paramref name="batch"/> images.</summary>
    public static double EncodeImage(ClipConfig config, long batch)
    {
        VisionConfig vision = config.Vision;
        return batch * (vision.Architecture == VisionArchitecture.VisionTransformer
            ? VisionTransformerPerImage(vision, config.EmbedDim)
            : ResNetPerImage(vision, config.EmbedDim));
    }

    /// <summary>Operations of <c>EncodeText</c> for <paramref name="batch"/> rows of <paramref name="length"/> tokens.</summary>
    public static double EncodeText(ClipConfig config, long batch, long length)
    {
        TextConfig text = config.Text;
        double perRow = text.Layers * TransformerBlock(length, text.Width)
            + OperationsPerMultiplyAdd * text.Width * config.EmbedDim; // text_projection on the pooled token
        return batch * perRow;
    }

    /// <summary>
    /// Operations of one training step (forward and backward of both towers) on a batch of matching pairs. The
    /// backward pass of a product costs two products (gradients of both operands), so a step is about three forward
    /// passes; the patch or stem convolution's input gradient is counted too, although pixels need none.
    /// </summary>
    public static double TrainingStep(ClipConfig config, long batch, long textLength) =>
        3.0 * (EncodeImage(config, batch) + EncodeText(config, batch, textLength));

    /// <summary>Operations of one pre-norm block on N tokens of width W: the products of attention and of the MLP.</summary>
    public static double TransformerBlock(long tokens, long width) =>
        Attention(tokens, width) + Mlp(tokens, width);

    /// <summary>Self-attention on N tokens: q/k/v projection (3 W^2 N), scores and weighted sum (2 N^2 W), output projection (W^2 N).</summary>
    public static double Attention(long tokens, long width) =>
        OperationsPerMultiplyAdd * ((4.0 * width * width * tokens) + (2.0 * tokens * tokens * width));

    /// <summary>The MLP on N tokens: W to 4W and back (8 W^2 N multiply-adds).</summary>
    public static double Mlp(long tokens, long width) =>
        OperationsPerMultiplyAdd * 2.0 * ResidualAttentionBlock.MlpRatio * width * width * tokens;

    private static double VisionTransformerPerImage(VisionConfig vision, int embedDim)
    {
        long grid = vision.GridSize;
        long patch = vision.PatchSize!.Value;
        long tokens = (grid * grid) + 1;
        double patchEmbedding = Convolution(3, vision.Width, patch, grid);
        double blocks = vision.Layers[0] * TransformerBlock(tokens, vision.Width);
        double projection = OperationsPerMultiplyAdd * vision.Width * embedDim;
        return patchEmbedding + blocks + projection;
    }

    private static double ResNetPerImage(VisionConfig vision, int embedDim)
    {
        long width = vision.Width;
        long half = width / 2;
        long side = vision.ImageResolution / 2; // the stride-2 first convolution

        // Stem: three 3x3 convolutions at R/2, then a 2x2 average pool.
        double total = Convolution(3, half, 3, side) + Convolution(half, half, 3, side) + Convolution(half, width, 3, side);
        side /= 2;

        long inplanes = width;
        for (int stage = 0; stage < VisionConfig.ResNetStageCount; stage++)
        {
            long planes = width << stage;
            long outplanes = planes * Bottleneck.Expansion;
            for (int block = 0; block < vision.Layers[stage]; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                long outSide = side / stride;
                total += Convolution(inplanes, planes, 1, side)      // conv1 at the input resolution
                    + Convolution(planes, planes, 3, side)           // conv2, before the block's average pool
                    + Convolution(planes, outplanes, 1, outSide);    // conv3 after the pool
                if (stride > 1 || inplanes != outplanes)
                {
                    total += Convolution(inplanes, outplanes, 1, outSide); // shortcut: pool, then 1x1
                }

                inplanes = outplanes;
                side = outSide;
            }
        }

        // Attention pool: k and v over S + 1 tokens, q on the mean token, one query's scores, c_proj.
        long channels = vision.AttentionWidth;
        long tokens = (side * side) + 1;
        total += OperationsPerMultiplyAdd * ((2.0 * tokens * channels * channels) + ((double)channels * channels)
            + (2.0 * tokens * channels) + ((double)channels * embedDim));
        return total;
    }

    /// <summary>A k x k convolution from C_in to C_out channels producing a side x side map.</summary>
    private static double Convolution(long inChannels, long outChannels, long kernel, long outSide) =>
        OperationsPerMultiplyAdd * inChannels * outChannels * kernel * kernel * outSide * outSide;
}
