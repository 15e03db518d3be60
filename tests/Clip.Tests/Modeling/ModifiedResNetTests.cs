using Clip.Modeling;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class ModifiedResNetTests
{
    private static (ClipModel Model, ModifiedResNet Encoder) CreateModel()
    {
        manual_seed(11);
        var model = ClipModel.Create(ClipPresets.Get(ClipPresets.ResNetTiny));
        return (model, Assert.IsType<ModifiedResNet>(model.visual));
    }

    [Fact]
    public void InferenceChunkSize_PublishedRn50_IsEight()
    {
        using var model = ClipModel.Create(ClipPresets.Get("RN50"), device: META);

        Assert.Equal(8, Assert.IsType<ModifiedResNet>(model.visual).InferenceChunkSize);
    }

    [Fact]
    public void EncodeImage_EvalChunks_MatchOnePass()
    {
        using var scope = NewDisposeScope();
        var (model, encoder) = CreateModel();
        using var _ = model;
        model.eval();
        var pixels = randn(7, 3, 64, 64);

        encoder.InferenceChunkSize = 100;
        var whole = model.EncodeImage(pixels);
        encoder.InferenceChunkSize = 3;
        var chunked = model.EncodeImage(pixels);

        Assert.Equal(new long[] { 7, model.Config.EmbedDim }, chunked.shape);
        Assert.True(chunked.allclose(whole, rtol: 1e-5, atol: 1e-6), "chunked features differ from one pass");
    }

    [Fact]
    public void EncodeImage_Training_NeverSplitsBatch()
    {
        using var scope = NewDisposeScope();
        var (model, encoder) = CreateModel();
        using var _ = model;
        model.train();
        var pixels = randn(7, 3, 64, 64);

        encoder.InferenceChunkSize = 100;
        var whole = model.EncodeImage(pixels);
        encoder.InferenceChunkSize = 3;
        var again = model.EncodeImage(pixels);

        // Chunks would normalise each chunk with its own statistics; training mode must not split.
        Assert.True(again.allclose(whole), "training-mode features depend on the inference chunk size");
    }
}
