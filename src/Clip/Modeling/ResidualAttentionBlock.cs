using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// The pre-norm transformer block of CLIP: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c>, where the MLP
/// is c_fc (D to 4D), QuickGELU, c_proj (4D to D).
/// </summary>
/// <remarks>Keys: <c>attn.*</c>, <c>ln_1.*</c>, <c>mlp.c_fc.*</c>, <c>mlp.c_proj.*</c>, <c>ln_2.*</c>. Inputs are [B, L, D].</remarks>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>Hidden width of the MLP relative to the model width.</summary>
    public const int MlpRatio = 4;

    /// <summary>Self-attention.</summary>
    internal MultiheadSelfAttention attn;

    /// <summary>Norm before attention.</summary>
    internal LayerNorm ln_1;

    /// <summary>The MLP: c_fc, gelu, c_proj.</summary>
    internal Sequential mlp;

    /// <summary>Norm before the MLP.</summary>
    internal LayerNorm ln_2;

    /// <summary>Creates a block.</summary>
    /// <param name="width">Model width D.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public ResidualAttentionBlock(int width, int heads, Device? device = null)
        : base(nameof(ResidualAttentionBlock))
    {
        attn = new MultiheadSelfAttention(width, heads, device);
        ln_1 = new LayerNorm(width, device: device);
        mlp = nn.Sequential(
            ("c_fc", nn.Linear(width, (long)width * MlpRatio, device: device)),
            ("gelu", new QuickGelu()),
            ("c_proj", nn.Linear((long)width * MlpRatio, width, device: device)));
        ln_2 = new LayerNorm(width, device: device);
        RegisterComponents();
    }

    /// <summary>The MLP's expanding projection.</summary>
    internal Linear FullyConnected => (Linear)mlp[0];

    /// <summary>The MLP's output projection.</summary>
    internal Linear OutputProjection => (Linear)mlp[2];

    /// <summary>Applies the block to <paramref name="input"/> [B, L, D].</summary>
    /// <param name="input">Batch-first activations.</param>
    /// <param name="additiveMask">Attention mask [L, L] (0 or -inf), or null.</param>
    /// <returns>[B, L, D]; the caller owns it.</returns>
    public override Tensor forward(Tensor input, Tensor? additiveMask)
    {
        using var scope = NewDisposeScope();
        var x = input.Plus(attn.call(ln_1.call(input), additiveMask));
        x = x.Plus(mlp.call(ln_2.call(x)));
        return x.MoveToOuterDisposeScope();
    }
}
