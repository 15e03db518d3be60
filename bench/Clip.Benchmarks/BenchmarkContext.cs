using System.Diagnostics;

namespace Clip.Benchmarks;

/// <summary>Settings of one benchmark run and the timing loop every suite uses.</summary>
internal sealed record BenchmarkContext(int Threads, int Repetitions, int WarmupRepetitions, string? DataFolder)
{
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
/// when known, gives achieved GFLOP/s and the ratio to the machine's matrix-multiply roofline.
/// </summary>
internal sealed record BenchmarkResult(
    string Suite,
    string Case,
    string Unit,
    double ItemsPerRun,
    double[] Seconds,
    double? FlopsPerRun = null,
    string? Note = null)
{
    /// <summary>Median seconds per run.</summary>
    public double MedianSeconds => Statistics.Median(Seconds);

    /// <summary>Median throughput in <see cref="Unit"/> per second.</summary>
    public double MedianThroughput => ItemsPerRun / MedianSeconds;

    /// <summary>Relative spread of the run times: (max - min) / median.</summary>
    public double Spread => (Seconds.Max() - Seconds.Min()) / MedianSeconds;

    /// <summary>Achieved GFLOP/s at the median run time, when the work of a run is known.</summary>
    public double? GigaflopsPerSecond => FlopsPerRun is null ? null : FlopsPerRun / MedianSeconds / 1e9;
}

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
