using Clip.Modeling;
using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>Settings of <see cref="ClipModel.FromPretrained(string, PretrainedLoadOptions)"/>.</summary>
public sealed record PretrainedLoadOptions
{
    private readonly int? textHeads;

    /// <summary>Where to place the model; null means the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// The architecture to build, overriding what the checkpoint states or what inference finds; the
    /// checkpoint's tensors must then match it exactly.
    /// </summary>
    public ClipConfig? Config { get; init; }

    /// <summary>
    /// Text attention heads for a checkpoint that states no configuration (a <c>.pt</c> file or a bare
    /// safetensors file). The weights do not record this number; null assumes text width / 64, which holds for
    /// OpenAI's releases.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int? TextHeads
    {
        get => textHeads;
        init => textHeads = value is null or > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TextHeads), value, "TextHeads must be positive, or null to assume width / 64.");
    }
}
