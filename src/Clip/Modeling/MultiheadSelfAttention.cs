using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// Multi-head self-attention with a packed q/k/v input projection, laid out as PyTorch's
/// <c>nn.MultiheadAttention</c> so that its state-dict keys match.
/// </summary>
/// <remarks>
/// Keys: <c>in_proj_weight</c> [3D, D] (rows ordered q, k, v), <c>in_proj_bias</c> [3D],
/// <c>out_proj.weight</c> [D, D], <c>out_proj.bias</c> [D]. Inputs are batch-first.
/// Shapes: B batch, L sequence, D width, H heads, K = D / H head width.
/// </remarks>
public sealed class MultiheadSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly int _heads;

    /// <summary>Packed q, k, v projection weight [3D, D].</summary>
    internal Parameter in_proj_weight;

    /// <summary>Packed q, k, v projection bias [3D].</summary>
    internal Parameter in_proj_bias;

    /// <summary>Output projection D to D.</summary>
    internal Linear out_proj;

    /// <summary>Creates the attention layer with PyTorch's default initialisation.</summary>
    /// <param name="width">Model width D.</param>
    /// <param name="heads">Head count H; must divide D.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public MultiheadSelfAttention(int width, int heads, Device? device = null)
        : base(nameof(MultiheadSelfAttention))
    {
        if (heads <= 0 || width % heads != 0)
        {
            throw new ArgumentException($"heads = {heads} must be positive and divide width = {width}.", nameof(heads));
        }

        _heads = heads;
        in_proj_weight = new Parameter(empty(3L * width, width, device: device));
        in_proj_bias = new Parameter(zeros(3L * width, device: device));
        out_proj = nn.Linear(width, width, hasBias: true, device: device);

        // PyTorch's MultiheadAttention: Xavier-uniform packed weight, zero biases.
        using (no_grad())
        {
            nn.init.xavier_uniform_(in_proj_weight);
            out_proj.bias!.zero_();
        }

        RegisterComponents();
    }

    /// <summary>Attends over <paramref name="input"/> [B, L, D] with an optional additive mask [L, L].</summary>
    /// <param name="input">Batch-first activations.</param>
    /// <param name="additiveMask">Added to the attention scores (0 or -inf), or null.</param>
    /// <returns>[B, L, D]; the caller owns it.</returns>
    public override Tensor forward(Tensor input, Tensor? additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], length = input.shape[1], width = input.shape[2];
        long headWidth = width / _heads;

        var packed = nn.functional.linear(input, in_proj_weight, in_proj_bias);   // [B, L, 3D]
        var qkv = packed.view(batch, length, 3, _heads, headWidth).permute(2, 0, 3, 1, 4); // [3, B, H, L, K]
        var attended = ScaledDotProduct(qkv[0], qkv[1], qkv[2], additiveMask);     // [B, H, L, K]
        var merged = attended.transpose(1, 2).reshape(batch, length, width);      // [B, H, L, K] -> [B, L, D]
        return out_proj.call(merged).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Computes softmax(q k^T / sqrt(K) + mask) v with LibTorch's fused <c>scaled_dot_product_attention</c>.
    /// </summary>
    /// <param name="query">[..., Lq, K].</param>
    /// <param name="key">[..., Lk, K].</param>
    /// <param name="value">[..., Lk, K].</param>
    /// <param name="additiveMask">[Lq, Lk] or null.</param>
    /// <returns>[..., Lq, K], in the caller's dispose scope.</returns>
    /// <remarks>
    /// The fused kernel skips the separate scale, mask and softmax passes over the score matrix and accumulates
    /// bfloat16 inputs in float32. It differs from the unfused reference form (q scaled before the product) by about
    /// 1e-6 in float32, and it supports the backward pass.
    /// </remarks>
    internal static Tensor ScaledDotProduct(Tensor query, Tensor key, Tensor value, Tensor? additiveMask) =>
        nn.functional.scaled_dot_product_attention(query, key, value, additiveMask);
}
