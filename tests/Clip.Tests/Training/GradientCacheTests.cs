using Clip.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

public sealed class GradientCacheTests
{
    // float32 gradients summed in a different order differ in the last bits only.
    private const double RelativeTolerance = 1e-4;
    private const double AbsoluteTolerance = 1e-6;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Accumulate_EqualsFullBatchGradients_ToyModel(int chunk)
    {
        using var model = new ToyClip(seed: 3);
        TrainableClip trainable = model.AsTrainable();
        using Tensor pixels = rand(8, 3, ToyClip.Resolution, ToyClip.Resolution);
        using Tensor tokens = randint(1, ToyClip.VocabSize, [8, ToyClip.ContextLength]);

        GradientComparison.AssertCachedEqualsFull(trainable, pixels, tokens, chunk, RelativeTolerance, AbsoluteTolerance);
    }

    [Fact]
    public void Accumulate_RestoresBatchNormStatistics_AfterGraphFreePass()
    {
        using var model = new ToyClip(seed: 3, withBatchNorm: true);
        TrainableClip trainable = model.AsTrainable();
        model.train();
        using Tensor pixels = rand(8, 3, ToyClip.Resolution, ToyClip.Resolution);
        using Tensor tokens = randint(1, ToyClip.VocabSize, [8, ToyClip.ContextLength]);

        GradientCache.Accumulate(model, trainable.EncodeImage, trainable.EncodeText, trainable.LogitScale, pixels, tokens, chunkSize: 4);

        // Two chunks update the running statistics once each, in the pass with a graph only.
        Tensor tracked = model.named_buffers().Single(b => b.name.EndsWith("num_batches_tracked", StringComparison.Ordinal)).buffer;
        Assert.Equal(2L, tracked.item<long>());
    }
}

/// <summary>Compares the gradients of a cached step with those of one full-batch step on the same model.</summary>
internal static class GradientComparison
{
    public static void AssertCachedEqualsFull(TrainableClip model, Tensor pixels, Tensor tokens, int chunk, double relative, double absolute)
    {
        Dictionary<string, Tensor> full = Gradients(model, pixels, tokens, chunkSize: null, out double fullLoss);
        Dictionary<string, Tensor> cached = Gradients(model, pixels, tokens, chunk, out double cachedLoss);

        Assert.Equal(fullLoss, cachedLoss, 1e-5);
        Assert.Equal(full.Keys.Order(), cached.Keys.Order());
        foreach ((string name, Tensor expected) in full)
        {
            Tensor actual = cached[name];
            double maxDifference = (actual - expected).abs().max().item<float>();
            double scale = expected.abs().max().item<float>();
            Assert.True(maxDifference <= absolute + (relative * scale), $"{name}: max |cached - full| = {maxDifference:E3}, max |full| = {scale:E3}");
            expected.Dispose();
            actual.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Gradients(TrainableClip model, Tensor pixels, Tensor tokens, int? chunkSize, out double loss)
    {
        foreach (var parameter in model.Module.parameters())
        {
            parameter.grad?.zero_();
        }

        loss = GradientCache.Accumulate(model.Module, model.EncodeImage, model.EncodeText, model.LogitScale, pixels, tokens, chunkSize);
        var gradients = new Dictionary<string, Tensor>();
        foreach ((string name, var parameter) in model.Module.named_parameters())
        {
            if (parameter.grad is Tensor gradient)
            {
                gradients[name] = gradient.detach().clone();
            }
        }

        return gradients;
    }
}
