using System.Diagnostics;
using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

[Collection(SerialTorchCollection.Name)]
public sealed class ClipModelMemoryTests
{
    private const int Calls = 1000;

    /// <summary>Calls before measuring, so that lazily built state (the causal mask, allocator pools) exists.</summary>
    private const int WarmUpCalls = 50;

    /// <summary>Allowed growth of the working set over the measured calls; one call's activations are about 100 KB.</summary>
    private const long MaxWorkingSetGrowthBytes = 32L * 1024 * 1024;

    [Fact]
    public void EncodeImage_ThousandCalls_StaysFlat()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();
        using var pixels = ClipModelTests.RandomPixels(model, 2);

        AssertFlat(() => model.EncodeImage(pixels, normalize: true));
    }

    [Fact]
    public void EncodeText_ThousandCalls_StaysFlat()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();
        using var tokens = ClipModelTests.Tokens(model, 2);

        AssertFlat(() => model.EncodeText(tokens, normalize: true));
    }

    private static void AssertFlat(Func<Tensor> encode)
    {
        // One intra-op thread: this test measures leaks, not speed, and on a loaded machine libtorch's worker
        // threads make each tiny call about 50 times slower. The collection runs alone, so no other test is affected.
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            EncodeRepeatedly(encode);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static void EncodeRepeatedly(Func<Tensor> encode)
    {
        for (int i = 0; i < WarmUpCalls; i++)
        {
            encode().Dispose();
        }

        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long workingSetBefore = WorkingSet();

        for (int i = 0; i < Calls; i++)
        {
            using var features = encode();
        }

        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long growth = WorkingSet() - workingSetBefore;
        Assert.Equal(liveBefore, liveAfter);
        Assert.True(growth <= MaxWorkingSetGrowthBytes, $"The working set grew by {growth / 1024} KB over {Calls} calls.");
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
