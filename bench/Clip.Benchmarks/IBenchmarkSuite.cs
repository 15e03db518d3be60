namespace Clip.Benchmarks;

/// <summary>
/// A group of related measurements. Suites are found by reflection, so adding a benchmark means adding
/// one class that implements this interface; nothing else needs registering.
/// </summary>
internal interface IBenchmarkSuite
{
    /// <summary>Short name used on the command line (<c>--suite tokenizer</c>).</summary>
    string Name { get; }

    /// <summary>Runs every measurement of the suite and reports each through <paramref name="report"/>.</summary>
    void Run(BenchmarkContext context, Action<BenchmarkResult> report);
}
