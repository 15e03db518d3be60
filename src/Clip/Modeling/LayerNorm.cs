using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// Layer normalisation over the last dimension that computes in float32 when the input is float16 or bfloat16.
/// </summary>
/// <remarks>
/// Float32 and float64 inputs are normalised in their own precision. Half-precision inputs are cast to float32
/// together with the weight and bias, normalised, and cast back, as CLIP's reference does for mixed precision.
/// State-dict keys: <c>weight</c>, <c>bias</c> (both [D]).
/// </remarks>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>Epsilon of the reference (PyTorch's LayerNorm default).</summary>
    public const double DefaultEpsilon = 1e-5;

    private readonly long[] _normalizedShape;
    private readonly double _epsilon;

    /// <summary>Gain, initialised to ones.</summary>
    internal Parameter weight;

    /// <summary>Bias, initialised to zeros.</summary>
    internal Parameter bias;

    /// <summary>Creates a layer norm over a last dimension of the given width.</summary>
    /// <param name="width">Size of the normalised dimension.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public LayerNorm(long width, double epsilon = DefaultEpsilon, Device? device = null)
        : base(nameof(LayerNorm))
    {
        _normalizedShape = new[] { width };
        _epsilon = epsilon;
        weight = new Parameter(ones(width, device: device));
        bias = new Parameter(zeros(width, device: device));
        RegisterComponents();
    }

    /// <summary>Normalises <paramref name="input"/> [..., D] and returns a tensor of the input's dtype.</summary>
    /// <param name="input">Activations whose last dimension is the width.</param>
    /// <returns>The normalised activations; the caller owns the result.</returns>
    public override Tensor forward(Tensor input)
    {
        if (input.dtype == ScalarType.Float32 || input.dtype == ScalarType.Float64)
        {
            return nn.functional.layer_norm(input, _normalizedShape, weight, bias, _epsilon);
        }

        // With float32 parameters, LibTorch's CPU kernel takes a half-precision input directly, computes in
        // float32 and rounds only the output, as the casts below do, but without their two extra copies.
        if (weight.dtype == ScalarType.Float32 && input.device_type == DeviceType.CPU)
        {
            return nn.functional.layer_norm(input, _normalizedShape, weight, bias, _epsilon);
        }

        using var scope = NewDisposeScope();
        var normalized = nn.functional.layer_norm(
            input.to(ScalarType.Float32),
            _normalizedShape,
            weight.to(ScalarType.Float32),
            bias.to(ScalarType.Float32),
            _epsilon);
        return normalized.to(input.dtype).MoveToOuterDisposeScope();
    }
}
