using Clip.Modeling;
using Clip.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

public sealed class ClipGradientCacheTests
{
    // Gradients summed over chunks in another order than the full batch differ by float32 rounding only.
    private const double RelativeTolerance = 2e-4;
    private const double AbsoluteTolerance = 1e-6;
    private const int Batch = 6;
    private const int Chunk = 4;

    [Fact]
    public void Accumulate_EqualsFullBatch_TinyVit()
    {
        using var model = CreateModel(ClipPresets.VitTiny);
        model.train();
        (Tensor pixels, Tensor tokens) = Inputs(model.Config);

        GradientComparison.AssertCachedEqualsFull(TrainableClip.From(model), pixels, tokens, Chunk, RelativeTolerance, AbsoluteTolerance);
    }

    [Fact]
    public void Accumulate_EqualsFullBatch_TinyResNetWithFrozenBatchNorm()
    {
        using var model = CreateModel(ClipPresets.ResNetTiny);
        model.train();
        model.visual.eval();
        (Tensor pixels, Tensor tokens) = Inputs(model.Config);

        GradientComparison.AssertCachedEqualsFull(TrainableClip.From(model), pixels, tokens, Chunk, RelativeTolerance, AbsoluteTolerance);
    }

    [Fact]
    public void Accumulate_DiffersFromFullBatch_TinyResNetWithBatchStatistics()
    {
        // In training mode BatchNorm normalises each chunk with the chunk's own statistics, so the cached step is a
        // different (per-chunk normalised) computation; this test records that the difference is real.
        using var model = CreateModel(ClipPresets.ResNetTiny);
        model.train();
        TrainableClip trainable = TrainableClip.From(model);
        (Tensor pixels, Tensor tokens) = Inputs(model.Config);

        double full = GradientCache.Accumulate(model, trainable.EncodeImage, trainable.EncodeText, trainable.LogitScale, pixels, tokens, chunkSize: null);
        double cached = GradientCache.Accumulate(model, trainable.EncodeImage, trainable.EncodeText, trainable.LogitScale, pixels, tokens, Chunk);

        Assert.NotEqual(full, cached, 1e-6);
    }

    internal static ClipModel CreateModel(string preset)
    {
        manual_seed(17);
        return ClipModel.Create(ClipPresets.Get(preset));
    }

    internal static (Tensor Pixels, Tensor Tokens) Inputs(ClipConfig config)
    {
        manual_seed(23);
        int resolution = config.Vision.ImageResolution;
        Tensor pixels = randn(Batch, 3, resolution, resolution);
        const int captionLength = 9;
        Tensor tokens = zeros(Batch, config.Text.ContextLength, dtype: ScalarType.Int64);
        tokens[TensorIndex.Colon, TensorIndex.Slice(1, captionLength)] = randint(1, 1000, [Batch, captionLength - 1]);
        tokens[TensorIndex.Colon, captionLength] = config.Text.EndOfTextTokenId;
        return (pixels, tokens);
    }
}
