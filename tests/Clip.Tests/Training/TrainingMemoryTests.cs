using System.Diagnostics;
using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public sealed class TrainingMemoryTests
{
    // Samples are taken one step after the steps where the trainer collects when collections are every 20 steps (60 and 300),
    // without collecting in the test, so that the test measures the memory the trainer itself keeps.
    private const int Steps = 301;
    private const int FirstSample = 61;

    // Live tensors may differ by a few between two samples (a batch in flight in the prefetch queue).
    private const long LiveTensorSlack = 64;

    // Resident memory may move by allocator noise; a leak of the size seen without collections (tens of kB per step) exceeds this.
    private const long ResidentSlackBytes = 24L * 1024 * 1024;

    [Theory]
    [InlineData(20)]
    [InlineData(0)]
    public void Train_KeepsLiveTensorsAndResidentMemoryFlat_OverManySteps(int collectGarbageEverySteps)
    {
        using var model = new ToyClip(seed: 5);
        var options = new TrainingOptions { BatchSize = 8, MaxSteps = Steps, DataWorkers = 2, CollectGarbageEverySteps = collectGarbageEverySteps, LearningRate = 1e-3 };
        long firstTensors = 0, lastTensors = 0, firstResident = 0, lastResident = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Step == FirstSample || p.Step == Steps)
            {
                long tensors = TorchSharp.torch.Tensor.TotalCount;
                long resident = Process.GetCurrentProcess().WorkingSet64;
                (firstTensors, firstResident) = p.Step == FirstSample ? (tensors, resident) : (firstTensors, firstResident);
                (lastTensors, lastResident) = p.Step == Steps ? (tensors, resident) : (lastTensors, lastResident);
            }
        });

        ToyClip.CreateTrainer(model, options).Train(new TrainingDataset(ToyClip.Examples(64)), progress: progress);

        Assert.InRange(lastTensors - firstTensors, -LiveTensorSlack, LiveTensorSlack);
        Assert.InRange(lastResident - firstResident, long.MinValue, ResidentSlackBytes);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
