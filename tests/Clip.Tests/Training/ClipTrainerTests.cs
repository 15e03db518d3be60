using Clip.Training;
using SixLabors.ImageSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

public sealed class ClipTrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clip-training-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrainingOptions SmallRun => new()
    {
        BatchSize = 4,
        Epochs = 3,
        LearningRate = 1e-2,
        WarmupSteps = 2,
        DataWorkers = 2,
        Seed = 11,
    };

    [Fact]
    public void Train_ResumedRun_MatchesStraightRun()
    {
        List<TrainingExample> examples = ToyClip.Examples(10);
        TrainingOptions options = SmallRun with { Epochs = 4, GradientCacheChunkSize = 2 };
        string checkpoint = Path.Combine(_folder, "half.ckpt");

        using var straight = new ToyClip(seed: 5);
        TrainingResult full = ToyClip.CreateTrainer(straight, options).Train(examples);

        using var resumed = new ToyClip(seed: 5);
        using var cancellation = new CancellationTokenSource();
        int half = full.Steps / 2;
        var stopAtHalf = new Progress(p => { if (p.Step == half) cancellation.Cancel(); });
        TrainingResult first = ToyClip.CreateTrainer(resumed, options with { CheckpointPath = checkpoint }).Train(new TrainingDataset(examples), progress: stopAtHalf, cancellationToken: cancellation.Token);
        using var fresh = new ToyClip(seed: 99);
        TrainingResult second = ToyClip.CreateTrainer(fresh, options with { ResumeFrom = checkpoint }).Train(examples);

        Assert.Equal(8, full.Steps);
        Assert.Equal(TrainingStopReason.Cancelled, first.StopReason);
        Assert.Equal(half, first.Steps);
        Assert.Equal(full.Steps, second.Steps);
        Assert.Equal(full.History.Skip(half).Select(s => s.Loss), second.History.Select(s => s.Loss));
        AssertSameParameters(straight, fresh);
    }

    [Fact]
    public void Train_WritesCheckpoint_AtIntervalsAndEnd()
    {
        string checkpoint = Path.Combine(_folder, "run.ckpt");
        using var model = new ToyClip(seed: 5);
        var messages = new List<string>();

        TrainingResult result = ToyClip.CreateTrainer(model, SmallRun with { CheckpointPath = checkpoint, CheckpointEverySteps = 2 }, new ListLogger(messages))
            .Train(ToyClip.Examples(8));

        Assert.True(File.Exists(checkpoint));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Equal(checkpoint, result.CheckpointPath);
        Assert.Equal(3, messages.Count(m => m.StartsWith("Checkpoint written", StringComparison.Ordinal)));
    }

    [Fact]
    public void Train_ReportsProgressAndHistory_EveryStep()
    {
        using var model = new ToyClip(seed: 5);
        var reports = new List<TrainingProgress>();

        TrainingResult result = ToyClip.CreateTrainer(model, SmallRun).Train(new TrainingDataset(ToyClip.Examples(8)), progress: new Progress(reports.Add));

        Assert.Equal(6, result.History.Count);
        Assert.Equal(Enumerable.Range(1, 6), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.SamplesPerSecond > 0));
        Assert.InRange(result.DataWaitFraction, 0, 1);
        Assert.All(result.History, s => Assert.True(s.LogitScale <= 100.0 + 1e-4));
    }

    [Fact]
    public void Train_ClampsLogitScale_AtHundred()
    {
        using var model = new ToyClip(seed: 5);
        using (no_grad())
        {
            model.logit_scale.fill_(Math.Log(100) + 0.5);
        }

        TrainingResult result = ToyClip.CreateTrainer(model, SmallRun with { Epochs = 1 }).Train(ToyClip.Examples(8));

        Assert.All(result.History, s => Assert.True(s.LogitScale <= 100.0 + 1e-4, $"logit scale {s.LogitScale}"));
    }

    [Fact]
    public void Train_SkipsInvalidSamples_AndCountsThem()
    {
        List<TrainingExample> examples = ToyClip.Examples(6);
        examples.Add(TrainingExample.FromFile(Path.Combine(_folder, "missing.png"), ["a missing image"]));
        examples.Add(TrainingExample.FromImage("blank caption", () => ToyClip.Pattern(1, 1), ["  "]));
        var messages = new List<string>();
        using var model = new ToyClip(seed: 5);

        // One batch of 6 valid samples has to consume all 8 positions, both invalid ones included.
        TrainingResult result = ToyClip.CreateTrainer(model, SmallRun with { Epochs = 1, BatchSize = 6 }, new ListLogger(messages)).Train(examples);

        Assert.Equal(2, result.SkippedSamples);
        Assert.Contains(messages, m => m.Contains("missing.png", StringComparison.Ordinal));
    }

    [Fact]
    public void Train_Throws_OnInvalidSampleWhenAsked()
    {
        List<TrainingExample> examples = ToyClip.Examples(8);
        examples.Add(TrainingExample.FromFile(Path.Combine(_folder, "missing.png"), ["a missing image"]));
        using var model = new ToyClip(seed: 5);
        ClipTrainer trainer = ToyClip.CreateTrainer(model, SmallRun with { InvalidSamples = InvalidSamplePolicy.Throw });

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => trainer.Train(examples));

        Assert.Contains("missing.png", error.Message);
    }

    [Fact]
    public void Train_StopsOnNonFiniteLoss_KeepingLastCheckpoint()
    {
        string checkpoint = Path.Combine(_folder, "good.ckpt");
        List<TrainingExample> examples = ToyClip.Examples(8);
        var poisoned = new TrainingDataset(examples, imageTransform: null);
        using var model = new ToyClip(seed: 5);
        int calls = 0;
        Tensor Poison(Image image, Random random)
        {
            Tensor pixels = ToyClip.Preprocess(image, random);
            return Interlocked.Increment(ref calls) > 8 ? pixels.fill_(float.NaN) : pixels;
        }

        var trainer = new ClipTrainer(model.AsTrainable(), ToyClip.Tokenize, Poison, ToyClip.PreprocessForEvaluation, SmallRun with { CheckpointPath = checkpoint, CheckpointEverySteps = 1, PrefetchBatches = 1, DataWorkers = 1 }, null);

        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() => trainer.Train(poisoned));

        Assert.Equal(checkpoint, error.LastCheckpoint);
        Assert.Contains("loss", error.Message);
        Assert.True(File.Exists(checkpoint));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Train_RunsValidation_AfterEachEpoch()
    {
        List<TrainingExample> examples = ToyClip.Examples(8);
        var validation = new TrainingDataset(examples, classNames: ["zero", "one", "two"]);
        string metricsPath = Path.Combine(_folder, "metrics.jsonl");
        using var model = new ToyClip(seed: 5);

        TrainingResult result = ToyClip.CreateTrainer(model, SmallRun with { MetricsPath = metricsPath, RecallAtK = [1, 2] })
            .Train(new TrainingDataset(examples), validation);

        Assert.Equal(3, result.Validations.Count);
        Assert.All(result.Validations, v => Assert.InRange(v.ImageToTextRecall[2], 0, 1));
        Assert.All(result.Validations, v => Assert.NotNull(v.ZeroShotAccuracy));
        string[] lines = File.ReadAllLines(metricsPath);
        Assert.Equal(6, lines.Count(l => l.Contains("\"type\":\"train\"", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.Contains("\"type\":\"val\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Train_LockImageTower_LeavesImageTowerUnchanged()
    {
        using var model = new ToyClip(seed: 5, withBatchNorm: true);
        Dictionary<string, Tensor> before = model.state_dict().Where(p => p.Key.StartsWith("visual.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value.clone());

        ToyClip.CreateTrainer(model, SmallRun with { FineTuning = FineTuningMode.LockImageTower, Epochs = 1, GradientCacheChunkSize = 2 }).Train(ToyClip.Examples(8));

        foreach ((string name, Tensor value) in model.state_dict().Where(p => p.Key.StartsWith("visual.", StringComparison.Ordinal)))
        {
            Assert.True(value.eq(before[name]).all().item<bool>(), $"{name} changed");
        }

        Assert.False(model.state_dict()["text_projection"].eq(ToyClipAt(5)["text_projection"]).all().item<bool>());
    }

    private static Dictionary<string, Tensor> ToyClipAt(int seed)
    {
        using var model = new ToyClip(seed);
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
    }

    private static void AssertSameParameters(nn.Module expected, nn.Module actual)
    {
        Dictionary<string, Tensor> actualState = actual.state_dict();
        foreach ((string name, Tensor value) in expected.state_dict())
        {
            Assert.True(value.eq(actualState[name]).all().item<bool>(), $"{name} differs");
        }
    }

    /// <summary>Reports synchronously, unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
