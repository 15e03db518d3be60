using Clip.Training;
using TorchSharp.Modules;
using Xunit;

namespace Clip.Tests.Training;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clip-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrainingState State(int step) => new(step, 1, 4, 0, 3, 8, 40, FineTuningMode.Full);

    [Fact]
    public void Save_FailedWrite_LeavesPreviousFileIntact()
    {
        string path = Path.Combine(_folder, "run.ckpt");
        using var model = new ToyClip(seed: 1);
        ParameterGroups groups = ParameterGroups.Create(model, FineTuningMode.Full);
        using AdamWOptimizer optimizer = groups.CreateOptimizer(new TrainingOptions());
        TrainingCheckpoint.Save(path, State(5), model, optimizer);
        byte[] before = File.ReadAllBytes(path);
        AdamWOptimizer broken = groups.CreateOptimizer(new TrainingOptions());
        broken.Dispose();

        Assert.ThrowsAny<Exception>(() => TrainingCheckpoint.Save(path, State(6), model, broken));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void Load_RestoresCountersAndWeights()
    {
        string path = Path.Combine(_folder, "run.ckpt");
        using var saved = new ToyClip(seed: 1);
        using var loaded = new ToyClip(seed: 2);
        using AdamWOptimizer savedOptimizer = ParameterGroups.Create(saved, FineTuningMode.Full).CreateOptimizer(new TrainingOptions());
        using AdamWOptimizer loadedOptimizer = ParameterGroups.Create(loaded, FineTuningMode.Full).CreateOptimizer(new TrainingOptions());
        TrainingCheckpoint.Save(path, State(5), saved, savedOptimizer);

        TrainingState state = TrainingCheckpoint.Load(path, loaded, loadedOptimizer);

        Assert.Equal(State(5), state);
        Assert.True(saved.state_dict()["text_projection"].eq(loaded.state_dict()["text_projection"]).all().item<bool>());
    }

    [Fact]
    public void Load_RestoresClipModelWeights()
    {
        string path = Path.Combine(_folder, "clip.ckpt");
        using var saved = ClipGradientCacheTests.CreateModel(Clip.Modeling.ClipPresets.ResNetTiny);
        TorchSharp.torch.manual_seed(99);
        using var loaded = Clip.ClipModel.Create(saved.Config);
        using AdamWOptimizer savedOptimizer = ParameterGroups.Create(saved, FineTuningMode.Full).CreateOptimizer(new TrainingOptions());
        using AdamWOptimizer loadedOptimizer = ParameterGroups.Create(loaded, FineTuningMode.Full).CreateOptimizer(new TrainingOptions());
        TrainingCheckpoint.Save(path, State(5), saved, savedOptimizer);

        TrainingCheckpoint.Load(path, loaded, loadedOptimizer);

        Dictionary<string, TorchSharp.torch.Tensor> expected = saved.state_dict();
        foreach ((string name, TorchSharp.torch.Tensor value) in loaded.state_dict())
        {
            Assert.True(value.eq(expected[name]).all().item<bool>(), $"{name} differs");
        }
    }

    [Fact]
    public void Load_Rejects_FileOfAnotherFormat()
    {
        string path = Path.Combine(_folder, "weights.bin");
        File.WriteAllBytes(path, new byte[64]);
        using var model = new ToyClip(seed: 1);
        using AdamWOptimizer optimizer = ParameterGroups.Create(model, FineTuningMode.Full).CreateOptimizer(new TrainingOptions());

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path, model, optimizer));

        Assert.Contains("weights.bin", error.Message);
    }

    [Fact]
    public void EpochOrder_IsSeededPerEpoch()
    {
        Assert.Equal(DataPipeline.EpochOrder(50, seed: 4, epoch: 2), DataPipeline.EpochOrder(50, seed: 4, epoch: 2));
        Assert.NotEqual(DataPipeline.EpochOrder(50, seed: 4, epoch: 2), DataPipeline.EpochOrder(50, seed: 4, epoch: 3));
        Assert.Equal(Enumerable.Range(0, 50), DataPipeline.EpochOrder(50, seed: 4, epoch: 2).Order());
    }
}
