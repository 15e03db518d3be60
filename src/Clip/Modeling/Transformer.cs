using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>A stack of <see cref="ResidualAttentionBlock"/>s, stored under the key <c>resblocks.&lt;i&gt;</c>.</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>The blocks, applied in order.</summary>
    internal ModuleList<ResidualAttentionBlock> resblocks;

    /// <summary>Creates the stack.</summary>
    /// <param name="width">Model width D.</param>
    /// <param name="layers">Number of blocks.</param>
    /// <param name="heads">Attention heads per block.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public Transformer(int width, int layers, int heads, Device? device = null)
        : base(nameof(Transformer))
    {
        Width = width;
        resblocks = new ModuleList<ResidualAttentionBlock>(
            Enumerable.Range(0, layers).Select(_ => new ResidualAttentionBlock(width, heads, device)).ToArray());
        RegisterComponents();
    }

    /// <summary>Model width D.</summary>
    public int Width { get; }

    /// <summary>Number of blocks.</summary>
    public int Layers => resblocks.Count;

    /// <summary>Applies every block to <paramref name="input"/> [B, L, D].</summary>
    /// <param name="input">Batch-first activations.</param>
    /// <param name="additiveMask">Attention mask [L, L], or null for full attention.</param>
    /// <returns>[B, L, D]; the caller owns it.</returns>
    public override Tensor forward(Tensor input, Tensor? additiveMask)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var block in resblocks)
        {
            x = block.call(x, additiveMask);
        }

        return (ReferenceEquals(x, input) ? x.alias() : x).MoveToOuterDisposeScope();
    }
}
