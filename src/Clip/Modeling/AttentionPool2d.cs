using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// Attention pooling of the modified ResNet: the spatial mean is prepended as a query token, positional
/// embeddings are added, and one multi-head attention step reads out the query token.
/// </summary>
/// <remarks>
/// Shapes: B batch, C channels (= embed width of the pool), S = H * W positions, E output width.
/// Keys: <c>positional_embedding</c> [S + 1, C], <c>k_proj</c>, <c>q_proj</c>, <c>v_proj</c> (C to C),
/// <c>c_proj</c> (C to E).
/// </remarks>
public sealed class AttentionPool2d : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;

    /// <summary>Positional embeddings [S + 1, C], the mean token first.</summary>
    internal Parameter positional_embedding;

    /// <summary>Key projection.</summary>
    internal Linear k_proj;

    /// <summary>Query projection.</summary>
    internal Linear q_proj;

    /// <summary>Value projection.</summary>
    internal Linear v_proj;

    /// <summary>Output projection to the joint embedding.</summary>
    internal Linear c_proj;

    /// <summary>Creates the pool.</summary>
    /// <param name="spatialDim">Side of the input feature map.</param>
    /// <param name="embedDim">Channels C.</param>
    /// <param name="heads">Heads; must divide C.</param>
    /// <param name="outputDim">Output width E.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public AttentionPool2d(int spatialDim, int embedDim, int heads, int outputDim, Device? device = null)
        : base(nameof(AttentionPool2d))
    {
        if (heads <= 0 || embedDim % heads != 0)
        {
            throw new ArgumentException($"heads = {heads} must be positive and divide embedDim = {embedDim}.", nameof(heads));
        }

        _heads = heads;

        // The reference draws the positional embedding from N(0, 1 / C).
        positional_embedding = new Parameter(randn((long)spatialDim * spatialDim + 1, embedDim, device: device) / Math.Sqrt(embedDim));
        k_proj = nn.Linear(embedDim, embedDim, device: device);
        q_proj = nn.Linear(embedDim, embedDim, device: device);
        v_proj = nn.Linear(embedDim, embedDim, device: device);
        c_proj = nn.Linear(embedDim, outputDim, device: device);
        RegisterComponents();
    }

    /// <summary>Pools a feature map [B, C, H, W] into [B, E].</summary>
    /// <param name="input">Feature map with H * W + 1 equal to the positional embedding rows.</param>
    /// <returns>[B, E]; the caller owns it.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], channels = input.shape[1];
        long headWidth = channels / _heads;

        var x = input.flatten(2).permute(0, 2, 1);                              // [B, C, H, W] -> [B, S, C]
        x = cat(new[] { x.mean(new long[] { 1 }, keepdim: true), x }, dim: 1); // [B, S + 1, C]
        x = x.Plus(positional_embedding.to(x.dtype));
        long tokens = x.shape[1];

        var query = q_proj.call(x[.., ..1, ..]).view(batch, 1, _heads, headWidth).transpose(1, 2);    // [B, H, 1, K]
        var key = k_proj.call(x).view(batch, tokens, _heads, headWidth).transpose(1, 2);             // [B, H, S + 1, K]
        var value = v_proj.call(x).view(batch, tokens, _heads, headWidth).transpose(1, 2);           // [B, H, S + 1, K]
        var pooled = MultiheadSelfAttention.ScaledDotProduct(query, key, value, null);              // [B, H, 1, K]
        pooled = pooled.transpose(1, 2).reshape(batch, channels);                                   // [B, C]

        return c_proj.call(pooled).MoveToOuterDisposeScope();                                      // [B, E]
    }
}
