using TorchSharp;
using static TorchSharp.torch;

namespace Clip;

/// <summary>
/// Tensor operations with a number argument that keep the number's native <see cref="Scalar"/> alive until the
/// native call returns.
/// </summary>
/// <remarks>
/// TorchSharp turns a number passed where it expects a <see cref="Scalar"/> into a temporary object with a finalizer
/// and passes on only its native handle. Nothing references the temporary during the native call, so a garbage
/// collection on another thread can finalize it, and free the native value, while the call still reads it (a rare
/// crash: "Unknown scalar type" or "Expected false to be true" from <c>c10::Scalar</c>). Library code that runs per
/// batch or per step passes numbers through these methods, which create the <see cref="Scalar"/> explicitly and
/// dispose it only after the call.
/// </remarks>
internal static class ScalarArguments
{
    /// <summary>
    /// The number 1, for the <c>alpha</c> of additions and the step of ranges. TorchSharp's <c>add</c> without an
    /// <c>alpha</c> and the tensor <c>+</c> operator pass a temporary 1 of their own. This one lives in a static
    /// field for the life of the process, so it is never finalized.
    /// </summary>
    internal static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="tensor"/> + <paramref name="other"/> (broadcasting), like the <c>+</c> operator.</summary>
    internal static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary><paramref name="tensor"/> += <paramref name="other"/>, in place.</summary>
    internal static Tensor Plus_(this Tensor tensor, Tensor other) => tensor.add_(other, One);

    /// <summary><paramref name="tensor"/> + <paramref name="alpha"/> * <paramref name="other"/>.</summary>
    internal static Tensor AddScaled(this Tensor tensor, Tensor other, double alpha)
    {
        using Scalar scalar = alpha.ToScalar();
        return tensor.add(other, scalar);
    }

    /// <summary>Adds <paramref name="value"/> to every element, in place.</summary>
    internal static Tensor AddScalar_(this Tensor tensor, Scalar value) => tensor.add_(value, One);

    /// <summary>The integers <paramref name="start"/> to <paramref name="stop"/> - 1 as an int64 vector.</summary>
    internal static Tensor Range(long start, long stop, Device? device = null)
    {
        using Scalar first = start.ToScalar();
        using Scalar end = stop.ToScalar();
        return arange(first, end, One, dtype: ScalarType.Int64, device: device);
    }

    internal static Tensor MulScalar(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.mul(scalar);
    }

    internal static Tensor MulScalar_(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.mul_(scalar);
    }

    internal static Tensor DivScalar(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.div(scalar);
    }

    internal static Tensor DivScalar_(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.div_(scalar);
    }

    /// <summary><paramref name="tensor"/> += <paramref name="alpha"/> * <paramref name="other"/>, in place.</summary>
    internal static Tensor AddScaled_(this Tensor tensor, Tensor other, double alpha)
    {
        using Scalar scalar = alpha.ToScalar();
        return tensor.add_(other, scalar);
    }

    internal static Tensor EqScalar(this Tensor tensor, long value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.eq(scalar);
    }

    internal static Tensor NeScalar(this Tensor tensor, long value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.ne(scalar);
    }

    internal static Tensor ClampMax(this Tensor tensor, double max)
    {
        using Scalar scalar = max.ToScalar();
        return tensor.clamp(max: scalar);
    }

    internal static Tensor ClampMin(this Tensor tensor, double min)
    {
        using Scalar scalar = min.ToScalar();
        return tensor.clamp_min(scalar);
    }

    internal static Tensor Clamp_(this Tensor tensor, double min, double max)
    {
        using Scalar low = min.ToScalar();
        using Scalar high = max.ToScalar();
        return tensor.clamp_(low, high);
    }

    internal static Tensor Fill_(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.fill_(scalar);
    }

    internal static Tensor MaskedFill(this Tensor tensor, Tensor mask, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.masked_fill(mask, scalar);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    internal static Tensor Full(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using Scalar scalar = value.ToScalar();
        return full(shape, scalar, dtype: dtype, device: device);
    }
}
