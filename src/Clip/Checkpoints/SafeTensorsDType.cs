using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>A safetensors dtype code with its element size and TorchSharp scalar type.</summary>
/// <param name="Code">The header code, e.g. <c>F32</c>.</param>
/// <param name="ElementSize">Bytes per element.</param>
/// <param name="ScalarType">The matching TorchSharp dtype.</param>
public sealed record SafeTensorsDType(string Code, int ElementSize, ScalarType ScalarType)
{
    /// <summary>The dtypes this library reads and writes.</summary>
    public static IReadOnlyList<SafeTensorsDType> Known { get; } = new SafeTensorsDType[]
    {
        new("F64", 8, ScalarType.Float64),
        new("F32", 4, ScalarType.Float32),
        new("F16", 2, ScalarType.Float16),
        new("BF16", 2, ScalarType.BFloat16),
        new("I64", 8, ScalarType.Int64),
        new("I32", 4, ScalarType.Int32),
        new("U8", 1, ScalarType.Byte),
        new("BOOL", 1, ScalarType.Bool),
    };

    /// <summary>Finds a dtype by header code, or returns null.</summary>
    /// <param name="code">The header code, case-sensitive as the format defines it.</param>
    /// <returns>The dtype, or null when the code is not supported.</returns>
    public static SafeTensorsDType? FromCode(string code) => Known.FirstOrDefault(dtype => dtype.Code == code);

    /// <summary>Finds the dtype code of a TorchSharp scalar type.</summary>
    /// <param name="scalarType">The tensor's dtype.</param>
    /// <param name="tensorName">Named in the error message.</param>
    /// <returns>The matching dtype.</returns>
    /// <exception cref="ArgumentException">The scalar type has no supported code.</exception>
    public static SafeTensorsDType FromScalarType(ScalarType scalarType, string tensorName) =>
        Known.FirstOrDefault(dtype => dtype.ScalarType == scalarType)
        ?? throw new ArgumentException(
            $"Tensor '{tensorName}' has dtype {scalarType}; supported: {string.Join(", ", Known.Select(dtype => dtype.ScalarType))}.",
            nameof(tensorName));
}
