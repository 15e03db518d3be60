using System.Globalization;
using System.Reflection;
using System.Text;
using Clip.Benchmarks;

// A small harness of our own rather than BenchmarkDotNet: model figures need the achieved GFLOP/s and
// the ratio to the fp32 matrix-multiply throughput measured in the same process with the same threads,
// and multi-second model runs need a handful of repetitions, not BenchmarkDotNet's statistical pilot.
//
// Usage: dotnet run -c Release --project bench/Clip.Benchmarks -- [--suite NAME]... [--filter TEXT]...
//        [--threads N] [--repetitions N] [--warmup N] [--data FOLDER] [--markdown FILE]
// The roofline suite (fp32 and bf16 matrix multiply) always runs first, with the same thread count, and every
// figure with a known FLOP count is printed as a fraction of it.
// Checkpoint loading is measured in a fresh process per file, which re-enters here.
if (args.Length > 0 && args[0] == CheckpointLoadBenchmarks.ChildModeFlag)
{
    return CheckpointLoadBenchmarks.RunChild(args[1..]);
}

var suites = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmarkSuite).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

var selected = new List<string>();
var filters = new List<string>();
int threads = Environment.ProcessorCount;
int repetitions = 5;
int warmup = 1;
string? data = null;
string? markdown = null;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Option '{args[i]}' needs a value.");
    switch (args[i])
    {
        case "--suite": selected.Add(value); i++; break;
        case "--filter": filters.Add(value); i++; break;
        case "--threads": threads = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--repetitions": repetitions = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--data": data = value; i++; break;
        case "--markdown": markdown = value; i++; break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --suite, --filter, --threads, --repetitions, --warmup, --data, --markdown.");
    }
}

string[] unknown = selected.Except(suites.Select(s => s.Name)).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown suite(s): {string.Join(", ", unknown)}. Valid suites: {string.Join(", ", suites.Select(s => s.Name))}.");
    return 2;
}

TorchSharp.torch.set_num_threads(threads);
var context = new BenchmarkContext(threads, repetitions, warmup, data) { CaseFilters = filters };
var results = new List<BenchmarkResult>();
Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC | {MachineInfo.Describe()} | {threads} threads | {repetitions} repetitions after {warmup} warm-up");
Console.WriteLine($"# load average at start: {MachineInfo.LoadAverage()}");

// The roofline runs first and unfiltered, so that every later ratio has its denominator.
var rooflineSuite = suites.Single(s => s.Name == RooflineBenchmarks.SuiteName);
var roofline = new Roofline();
rooflineSuite.Run(context with { CaseFilters = [] }, result =>
{
    results.Add(result);
    roofline.Add(result);
    Print(result, roofline);
});

foreach (IBenchmarkSuite suite in suites.Where(s => s != rooflineSuite && (selected.Count == 0 || selected.Contains(s.Name))))
{
    suite.Run(context, result =>
    {
        results.Add(result);
        Print(result, roofline);
    });
}

Console.WriteLine($"# load average at end: {MachineInfo.LoadAverage()}");
if (markdown is not null)
{
    File.WriteAllText(markdown, MarkdownTable(results, roofline));
}

return 0;

static void Print(BenchmarkResult result, Roofline roofline)
{
    Console.WriteLine(
        $"{result.Suite,-12} {result.Case,-44} {result.MedianThroughput,10:F2} {result.Unit}/s  median {result.MedianSeconds * 1e3,9:F1} ms  spread {result.Spread,4:P0}"
        + (result.GigaflopsPerSecond is double g ? $"  {g,6:F1} GFLOP/s  {roofline.Describe(result)}" : "")
        + (result.ReferenceRatio is double r ? $"  {r:F2}x {result.Reference!.Name}" : "")
        + (result.Note is null ? "" : $"  ({result.Note})"));
}

static string MarkdownTable(IReadOnlyList<BenchmarkResult> results, Roofline roofline)
{
    var table = new StringBuilder();
    table.AppendLine("| suite | case | median throughput | median time | min - max time | spread | GFLOP/s | of fp32 roofline | of bf16 roofline | vs reference | note |");
    table.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    foreach (BenchmarkResult r in results)
    {
        string gflops = r.GigaflopsPerSecond is double g ? g.ToString("F1", CultureInfo.InvariantCulture) : "";
        string fp32 = Percent(roofline.Ratio(r, RooflinePrecision.Float32));
        string bf16 = r.Precision == RooflinePrecision.BFloat16 ? Percent(roofline.Ratio(r, RooflinePrecision.BFloat16)) : "";
        string reference = r.ReferenceRatio is double ratio ? FormattableString.Invariant($"{ratio:F2}x {r.Reference!.Name}") : "";
        table.AppendLine(FormattableString.Invariant(
            $"| {r.Suite} | {r.Case} | {r.MedianThroughput:F2} {r.Unit}/s | {r.MedianSeconds * 1e3:F1} ms | {r.MinSeconds * 1e3:F1} - {r.MaxSeconds * 1e3:F1} ms | {r.Spread:P0} | {gflops} | {fp32} | {bf16} | {reference} | {r.Note} |"));
    }

    return table.ToString();
}

static string Percent(double? ratio) => ratio is double value ? value.ToString("P0", CultureInfo.InvariantCulture) : "";
