using System.Globalization;
using System.Reflection;
using System.Text;
using Clip.Benchmarks;

// A small harness of our own rather than BenchmarkDotNet: model figures need the achieved GFLOP/s and
// the ratio to the fp32 matrix-multiply throughput measured in the same process with the same threads,
// and multi-second model runs need a handful of repetitions, not BenchmarkDotNet's statistical pilot.
//
// Usage: dotnet run -c Release --project bench/Clip.Benchmarks -- [--suite NAME]... [--threads N]
//        [--repetitions N] [--warmup N] [--data FOLDER] [--markdown FILE]

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
        case "--threads": threads = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--repetitions": repetitions = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--data": data = value; i++; break;
        case "--markdown": markdown = value; i++; break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --suite, --threads, --repetitions, --warmup, --data, --markdown.");
    }
}

string[] unknown = selected.Except(suites.Select(s => s.Name)).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown suite(s): {string.Join(", ", unknown)}. Valid suites: {string.Join(", ", suites.Select(s => s.Name))}.");
    return 2;
}

TorchSharp.torch.set_num_threads(threads);
var context = new BenchmarkContext(threads, repetitions, warmup, data);
var results = new List<BenchmarkResult>();
Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd} | {Environment.ProcessorCount} logical cores | {threads} threads | {repetitions} repetitions");
foreach (IBenchmarkSuite suite in suites.Where(s => selected.Count == 0 || selected.Contains(s.Name)))
{
    suite.Run(context, result =>
    {
        results.Add(result);
        Console.WriteLine(
            $"{result.Suite,-12} {result.Case,-48} {result.MedianThroughput,12:F1} {result.Unit}/s  median {result.MedianSeconds * 1e3,10:F2} ms  spread {result.Spread:P0}"
            + (result.GigaflopsPerSecond is double g ? $"  {g:F1} GFLOP/s" : "")
            + (result.Note is null ? "" : $"  ({result.Note})"));
    });
}

if (markdown is not null)
{
    var table = new StringBuilder();
    table.AppendLine("| suite | case | median throughput | median time | spread | GFLOP/s | note |");
    table.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | --- |");
    foreach (BenchmarkResult r in results)
    {
        table.AppendLine(FormattableString.Invariant(
            $"| {r.Suite} | {r.Case} | {r.MedianThroughput:F1} {r.Unit}/s | {r.MedianSeconds * 1e3:F2} ms | {r.Spread:P0} | {(r.GigaflopsPerSecond is double g ? g.ToString("F1", CultureInfo.InvariantCulture) : "")} | {r.Note} |"));
    }

    File.WriteAllText(markdown, table.ToString());
}

return 0;
