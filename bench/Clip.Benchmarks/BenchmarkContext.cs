using System.Diagnostics;

namespace Clip.Benchmarks;

/// <summary>Settings of one benchmark run and the timing loop every suite uses.</summary>
internal sealed record BenchmarkContext(int Threads, int Repetitions, int WarmupRepetitions, string? DataFolder)
{
    /// <summary>Substrings of case names to run (<c>--filter</c>); empty runs every case.</summary>
    public IReadOnlyList<string> CaseFilters { get; init; } = [];

    /// <summary>Returns whether the case named <paramref name="caseName"/> is selected by <see cref="CaseFilters"/>.</summary>
    public bool Includes(string caseName) =>
        CaseFilters.Count == 0 || CaseFilters.Any(filter => caseName.Contains(filter, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Times <paramref name="action"/> <see cref="Repetitions"/> times after the warm-up runs and returns
    /// the seconds of each timed run.
    /// </summary>
    public double[] Time(Action action)
    {
        for (int i = 0; i < WarmupRepetitions; i++)
        {
            action();
        }

        var seconds = new double[Repetitions];
        for (int i = 0; i < Repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return seconds;
    }
}

/// <summary>
/// One measured figure. <see cref="ItemsPerRun"/> turns run times into a throughput; <see cref="FlopsPerRun"/>,
/// when known, gives achieved GFLOP/s and the ratio to the machine's matrix-multiply roofline of
/// <see cref="Precision"/> (and always to the float32 one). <see cref="Reference"/>, when set, is an outside
/// figure for the same work that the throughput is compared with.
/// </summary>
internal sealed record BenchmarkResult(
    string Suite,
    string Case,
    string Unit,
    double ItemsPerRun,
    double[] Seconds,
    double? FlopsPerRun = null,
    string? Note = null,
    RooflinePrecision Precision = RooflinePrecision.Float32,
    ExternalReference? Reference = null)
{
    /// <summary>Median seconds per run.</summary>
    public double MedianSeconds => Statistics.Median(Seconds);

    /// <summary>Median throughput in <see cref="Unit"/> per second.</summary>
    public double MedianThroughput => ItemsPerRun / MedianSeconds;

    /// <summary>Relative spread of the run times: (max - min) / median.</summary>
    public double Spread => (Seconds.Max() - Seconds.Min()) / MedianSeconds;

    /// <summary>Achieved GFLOP/s at the median run time, when the work of a run is known.</summary>
    public double? GigaflopsPerSecond => FlopsPerRun is null ? null : FlopsPerRun / MedianSeconds / 1e9;

    /// <summary>Fastest run time in seconds.</summary>
    public double MinSeconds => Seconds.Min();

    /// <summary>Slowest run time in seconds.</summary>
    public double MaxSeconds => Seconds.Max();

    /// <summary>Median throughput divided by <see cref="Reference"/>'s, when there is one.</summary>
    public double? ReferenceRatio => Reference is null ? null : MedianThroughput / Reference.Throughput;
}

/// <summary>The element type of a matrix-multiply roofline.</summary>
internal enum RooflinePrecision
{
    /// <summary>IEEE single precision.</summary>
    Float32,

    /// <summary>bfloat16 inputs (8-bit exponent, 7-bit mantissa), float32 accumulation.</summary>
    BFloat16,
}

/// <summary>A throughput measured outside this harness for the same work, with where it comes from.</summary>
/// <param name="Name">Short label of the reference, such as the runtime and its version.</param>
/// <param name="Throughput">Items per second, in the unit of the result it is attached to.</param>
internal sealed record ExternalReference(string Name, double Throughput);

/// <summary>Order statistics of timing samples.</summary>
internal static class Statistics
{
    /// <summary>Returns the median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
