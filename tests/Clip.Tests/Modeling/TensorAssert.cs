using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

/// <summary>Elementwise tolerance checks that report the worst element.</summary>
internal static class TensorAssert
{
    /// <summary>Requires |actual - expected| &lt;= absolute + relative * |expected| for every element.</summary>
    public static void Close(Tensor expected, Tensor actual, double absolute, double relative, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: expected shape [{string.Join(", ", expected.shape)}], got [{string.Join(", ", actual.shape)}].");
        using var scope = NewDisposeScope();
        var want = expected.detach().to(ScalarType.Float64).cpu();
        var got = actual.detach().to(ScalarType.Float64).cpu();
        var excess = (got - want).abs() - (want.abs() * relative + absolute);
        double worst = excess.max().item<double>();
        if (worst > 0)
        {
            long index = excess.flatten().argmax().item<long>();
            double wantValue = want.flatten()[index].item<double>();
            double gotValue = got.flatten()[index].item<double>();
            double maxDifference = (got - want).abs().max().item<double>();
            Assert.Fail($"{what}: element {index} is {gotValue:R}, expected {wantValue:R} (tolerance {absolute:G3} + {relative:G3} * |expected|); max |difference| {maxDifference:G3}.");
        }
    }

    /// <summary>Requires |actual - expected| &lt;= absolute + relative * |expected| for a scalar.</summary>
    public static void Close(double expected, double actual, double absolute, double relative, string what)
    {
        double tolerance = absolute + relative * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: got {actual:R}, expected {expected:R} (difference {Math.Abs(actual - expected):G3}, tolerance {tolerance:G3}).");
    }
}
