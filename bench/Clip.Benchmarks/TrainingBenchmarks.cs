using System.Diagnostics;
using Clip.Modeling;
using Clip.Text;
using Clip.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Benchmarks;

/// <summary>
/// Training throughput: pairs per second of full optimiser steps (data pipeline, forward, backward, AdamW) and the
/// peak resident memory above the level before the run, for the small presets at batch 256 and ViT-B/32 at batch 32.
/// </summary>
internal sealed class TrainingBenchmarks : IBenchmarkSuite
{
    // Steps timed after the warm-up steps; a few are enough, each one is seconds long.
    private const int DefaultTimedSteps = 3;

    public string Name => "training";

    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        var tokenizer = ClipTokenizer.CreateDefault();
        (string Preset, int Batch)[] cases = [(ClipPresets.VitTiny, 256), (ClipPresets.ResNetTiny, 256), (ClipPresets.VitDemo, 256), ("ViT-B/32", 32)];
        foreach ((string preset, int batch) in cases)
        {
            ClipConfig config = ClipPresets.Get(preset);
            string caseName = $"{preset} {config.Vision.ImageResolution} px, batch {batch}";
            if (!context.Includes(caseName))
            {
                continue;
            }

            long textLength = TrainingMeasurement.TextLength(tokenizer, batch * 2);
            int warmup = Math.Max(1, context.WarmupRepetitions);
            int timed = DefaultTimedSteps;
            TrainingMeasurement measurement = TrainingMeasurement.Run(config, tokenizer, batch, warmup + timed, collectEvery: 20);
            double[] seconds = measurement.StepSeconds.Skip(warmup).ToArray();
            report(new BenchmarkResult(
                Name,
                caseName,
                "pairs",
                batch,
                seconds,
                ModelFlops.TrainingStep(config, batch, textLength),
                Note: $"text {textLength} tokens, peak RSS +{measurement.PeakResidentBytes / 1048576.0:F0} MiB, data wait {measurement.DataWaitFraction:P0}"));
        }
    }
}

/// <summary>
/// Process memory over a long run of a very small model, with the trainer's periodic garbage collection
/// (<c>training-memory</c>) and without it (<c>training-memory-uncollected</c>). They are separate suites so that
/// the two long runs can go in separate processes.
/// </summary>
internal abstract class TrainingMemoryBenchmarksBase : IBenchmarkSuite
{
    private const int Steps = 2000;
    private const int Batch = 8;
    private const int SampleEvery = 100;

    public abstract string Name { get; }

    /// <summary>Steps between the trainer's garbage collections, or 0 for none.</summary>
    protected abstract int CollectEvery { get; }

    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        var tokenizer = ClipTokenizer.CreateDefault();

        // A ViT far smaller than any preset, so that 2,000 steps take minutes: the growth comes from per-step objects, not tensor sizes.
        var config = new ClipConfig(
            16,
            VisionConfig.VisionTransformer(imageResolution: 32, patchSize: 16, width: 32, layers: 1, heads: 1),
            new TextConfig(contextLength: 16, ClipPresets.PublishedVocabSize, width: 32, heads: 1, layers: 1));
        TrainingMeasurement measurement = TrainingMeasurement.Run(config, tokenizer, Batch, Steps, CollectEvery, SampleEvery);
        string samples = string.Join(", ", measurement.ResidentSamples.Select(s => $"{s.Step}: {s.Bytes / 1048576.0:F0}"));
        report(new BenchmarkResult(
            Name,
            CollectEvery == 0 ? $"{Steps} steps, no collection" : $"{Steps} steps, collection every {CollectEvery}",
            "pairs",
            Batch,
            measurement.StepSeconds.ToArray(),
            Note: $"RSS MiB by step: {samples}; peak +{measurement.PeakResidentBytes / 1048576.0:F0} MiB"));
    }
}

/// <summary>Memory of a long run with the trainer's default periodic collection.</summary>
internal sealed class TrainingMemoryBenchmarks : TrainingMemoryBenchmarksBase
{
    public override string Name => "training-memory";

    protected override int CollectEvery => new TrainingOptions().CollectGarbageEverySteps;
}

/// <summary>Memory of a long run without collections, to show what the periodic collection prevents.</summary>
internal sealed class UncollectedTrainingMemoryBenchmarks : TrainingMemoryBenchmarksBase
{
    public override string Name => "training-memory-uncollected";

    protected override int CollectEvery => 0;
}

/// <summary>One short training run with per-step timing and resident-memory sampling.</summary>
internal sealed record TrainingMeasurement(IReadOnlyList<double> StepSeconds, long PeakResidentBytes, double DataWaitFraction, IReadOnlyList<(int Step, long Bytes)> ResidentSamples)
{
    private const int PollMilliseconds = 20;

    public static TrainingMeasurement Run(ClipConfig config, ClipTokenizer tokenizer, int batch, int steps, int collectEvery, int sampleEvery = int.MaxValue)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = Process.GetCurrentProcess().WorkingSet64;
        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                long resident = Process.GetCurrentProcess().WorkingSet64;
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), resident));
                await Task.Delay(PollMilliseconds).ConfigureAwait(false);
            }
        });

        TorchSharp.torch.manual_seed(1);
        using var model = ClipModel.Create(config);
        var options = new TrainingOptions { BatchSize = batch, MaxSteps = steps, DataWorkers = 2, PrefetchBatches = 2, CollectGarbageEverySteps = collectEvery, LogEverySteps = int.MaxValue };
        var stepSeconds = new List<double>();
        var samples = new List<(int, long)>();
        long last = Stopwatch.GetTimestamp();
        var progress = new SynchronousProgress(p =>
        {
            stepSeconds.Add(Stopwatch.GetElapsedTime(last).TotalSeconds);
            last = Stopwatch.GetTimestamp();
            if (p.Step == 1 || p.Step % sampleEvery == 0)
            {
                long resident = Process.GetCurrentProcess().WorkingSet64;
                samples.Add((p.Step, resident));

                // Printed as the run goes, so that a long run that is stopped early still leaves its figures.
                Console.Error.WriteLine($"  step {p.Step}: RSS {resident / 1048576.0:F0} MiB, {p.SamplesPerSecond:F1} pairs/s (collection every {collectEvery})");
            }
        });

        TrainingResult result = model.Train(tokenizer, SyntheticData(batch * 2, config.Vision.ImageResolution), options, progress: progress);
        stop.Cancel();
        poller.Wait();
        return new TrainingMeasurement(stepSeconds, peak - baseline, result.DataWaitFraction, samples);
    }

    /// <summary>
    /// The token columns the text tower runs over: the trainer cuts each batch's padding, so a step costs the longest
    /// caption's length (start and end tokens included), not the full context.
    /// </summary>
    public static long TextLength(ClipTokenizer tokenizer, int count) =>
        Enumerable.Range(0, count).Max(index => tokenizer.TokenizeToRow(Caption(index)).Count(id => id != 0));

    private static string Caption(int index) => $"a picture of item number {index}";

    /// <summary>Noise images with numbered captions, decoded from memory so that disk speed does not enter.</summary>
    private static TrainingDataset SyntheticData(int count, int resolution)
    {
        var examples = new List<TrainingExample>();
        for (int i = 0; i < count; i++)
        {
            int index = i;
            examples.Add(TrainingExample.FromImage($"noise-{index}", () => Noise(index, resolution), [Caption(index)]));
        }

        return new TrainingDataset(examples);
    }

    private static Image Noise(int seed, int resolution)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(resolution, resolution);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                foreach (ref Rgb24 pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        return image;
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
