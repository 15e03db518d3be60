using System.Globalization;

namespace Clip.Benchmarks;

/// <summary>
/// The best matrix-multiply throughput of each precision measured in this run, and the ratios of other figures to it.
/// </summary>
internal sealed class Roofline
{
    private readonly Dictionary<RooflinePrecision, (double Gigaflops, string Case)> _best = new();

    /// <summary>Takes a roofline measurement into account; the fastest median of each precision wins.</summary>
    public void Add(BenchmarkResult result)
    {
        if (result.GigaflopsPerSecond is not double gigaflops)
        {
            return;
        }

        if (!_best.TryGetValue(result.Precision, out var best) || gigaflops > best.Gigaflops)
        {
            _best[result.Precision] = (gigaflops, result.Case);
        }
    }

    /// <summary>Returns the roofline GFLOP/s of a precision, or null when it was not measured.</summary>
    public double? Gigaflops(RooflinePrecision precision) =>
        _best.TryGetValue(precision, out var best) ? best.Gigaflops : null;

    /// <summary>Returns the achieved GFLOP/s of <paramref name="result"/> over the roofline of <paramref name="precision"/>.</summary>
    public double? Ratio(BenchmarkResult result, RooflinePrecision precision) =>
        result.GigaflopsPerSecond is double achieved && Gigaflops(precision) is double peak ? achieved / peak : null;

    /// <summary>Formats the ratios of a result: always to the float32 roofline, and to its own precision's.</summary>
    public string Describe(BenchmarkResult result)
    {
        string text = Ratio(result, RooflinePrecision.Float32) is double fp32
            ? string.Create(CultureInfo.InvariantCulture, $"{fp32,5:P0} of fp32 roofline")
            : "";
        if (result.Precision == RooflinePrecision.BFloat16 && Ratio(result, RooflinePrecision.BFloat16) is double bf16)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {bf16:P0} of bf16 roofline");
        }

        return text;
    }
}
