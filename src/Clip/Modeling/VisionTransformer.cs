using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// CLIP's Vision Transformer: patchify, prepend the class token, add positional embeddings, ln_pre, the blocks,
/// ln_post on the class token, then project to the joint embedding.
/// </summary>
/// <remarks>
/// Shapes: B batch, R resolution, P patch, G = R / P grid side, N = G * G + 1 tokens, W width, E embed dim.
/// Keys: <c>class_embedding</c> [W], <c>positional_embedding</c> [N, W], <c>proj</c> [W, E], <c>conv1.weight</c>,
/// <c>ln_pre.*</c>, <c>transformer.resblocks.*</c>, <c>ln_post.*</c>.
/// </remarks>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    /// <summary>Learned class token [W].</summary>
    internal Parameter class_embedding;

    /// <summary>Positional embeddings [N, W], class token first.</summary>
    internal Parameter positional_embedding;

    /// <summary>Projection to the joint embedding [W, E], applied as <c>x @ proj</c>.</summary>
    internal Parameter proj;

    /// <summary>Patch embedding: a convolution without bias, kernel = stride = P.</summary>
    internal Conv2d conv1;

    /// <summary>Norm applied to the token sequence before the blocks.</summary>
    internal LayerNorm ln_pre;

    /// <summary>The residual attention blocks.</summary>
    internal Transformer transformer;

    /// <summary>Norm applied to the class token after the blocks.</summary>
    internal LayerNorm ln_post;

    /// <summary>Creates the encoder with the reference initialisation.</summary>
    /// <param name="config">A Vision Transformer configuration.</param>
    /// <param name="embedDim">Joint embedding width E.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public VisionTransformer(VisionConfig config, int embedDim, Device? device = null)
        : base(nameof(VisionTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Architecture != VisionArchitecture.VisionTransformer)
        {
            throw new ArgumentException($"Expected a {VisionArchitecture.VisionTransformer} configuration, got {config.Architecture}.", nameof(config));
        }

        Config = config;
        int width = config.Width;
        int patch = config.PatchSize!.Value;
        long tokens = (long)config.GridSize * config.GridSize + 1;

        // The reference draws the embeddings and the projection from N(0, 1 / width).
        double scale = Math.Pow(width, -0.5);
        class_embedding = new Parameter(randn(width, device: device) * scale);
        positional_embedding = new Parameter(randn(tokens, width, device: device) * scale);
        proj = new Parameter(randn(width, embedDim, device: device) * scale);
        conv1 = nn.Conv2d(3, width, kernel_size: patch, stride: patch, bias: false, device: device);
        ln_pre = new LayerNorm(width, device: device);
        transformer = new Transformer(width, config.Layers[0], config.Heads, device);
        ln_post = new LayerNorm(width, device: device);
        RegisterComponents();
    }

    /// <summary>The configuration this encoder was built from.</summary>
    public VisionConfig Config { get; }

    /// <summary>Encodes normalised pixels [B, 3, R, R] into image features [B, E].</summary>
    /// <param name="pixels">Input images in the model's dtype and device.</param>
    /// <returns>[B, E]; the caller owns it.</returns>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        long batch = pixels.shape[0];
        long width = Config.Width;

        var x = EmbedPatches(pixels);                                   // [B, 3, R, R] -> [B, G*G, W]
        var classToken = class_embedding.to(x.dtype).expand(batch, 1, width); // [W] -> [B, 1, W]
        x = cat(new[] { classToken, x }, dim: 1);                       // [B, N, W]
        x = x.Plus(positional_embedding.to(x.dtype));
        x = ln_pre.call(x);

        x = transformer.call(x, null);                                  // [B, N, W]

        x = ln_post.call(x[.., 0, ..]);                                 // class token [B, W]
        return x.matmul(proj).MoveToOuterDisposeScope();                // [B, W] x [W, E] -> [B, E]
    }

    /// <summary>Applies the patch embedding <c>conv1</c> and lays the result out as a token sequence.</summary>
    /// <remarks>
    /// A convolution whose stride equals its kernel multiplies each patch by the same weight matrix. At the
    /// configured resolution this therefore runs one matrix product of the flattened patches [B, G*G, 3*P*P] with
    /// the weight [W, 3*P*P], which LibTorch runs 1.1 to 4 times faster than its convolution kernel
    /// (docs/benchmarks.md). The sums differ only in rounding order. Other sizes use the convolution.
    /// </remarks>
    internal Tensor EmbedPatches(Tensor pixels)
    {
        long batch = pixels.shape[0];
        long width = Config.Width;
        long patch = Config.PatchSize!.Value;
        long grid = Config.GridSize;
        if (pixels.dim() != 4 || pixels.shape[1] != 3 || pixels.shape[2] != grid * patch || pixels.shape[3] != grid * patch)
        {
            return EmbedPatchesWithConvolution(pixels);
        }

        var patches = pixels
            .reshape(batch, 3, grid, patch, grid, patch)   // [B, 3, G, P, G, P]
            .permute(0, 2, 4, 1, 3, 5)                     // [B, G, G, 3, P, P]
            .reshape(batch, grid * grid, 3 * patch * patch);
        return patches.matmul(conv1.weight!.reshape(width, -1).t()); // [B, G*G, 3*P*P] x [3*P*P, W]
    }

    /// <summary>The patch embedding as the reference computes it: <c>conv1</c>, then flattened to tokens.</summary>
    internal Tensor EmbedPatchesWithConvolution(Tensor pixels) =>
        conv1.call(pixels).flatten(2).transpose(1, 2); // [B, W, G, G] -> [B, G*G, W]
}
