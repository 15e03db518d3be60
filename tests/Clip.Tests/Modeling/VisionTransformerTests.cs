using Clip.Modeling;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class VisionTransformerTests
{
    private static VisionTransformer CreateEncoder()
    {
        manual_seed(7);
        return new VisionTransformer(VisionConfig.VisionTransformer(imageResolution: 32, patchSize: 8, width: 64, layers: 1), embedDim: 32);
    }

    [Fact]
    public void EmbedPatches_MatchesConvolution_ValuesAndGradients()
    {
        using var scope = NewDisposeScope();
        using var encoder = CreateEncoder();
        var pixels = randn(3, 3, 32, 32);
        var upstream = randn(3, 16, 64);

        var viaProduct = encoder.EmbedPatches(pixels);
        (viaProduct * upstream).sum().backward();
        var productGradient = encoder.parameters().First(p => p.dim() == 4).grad!.clone();
        encoder.zero_grad();

        var viaConvolution = encoder.EmbedPatchesWithConvolution(pixels);
        (viaConvolution * upstream).sum().backward();
        var convolutionGradient = encoder.parameters().First(p => p.dim() == 4).grad!;

        Assert.Equal(new long[] { 3, 16, 64 }, viaProduct.shape);
        Assert.True(viaProduct.allclose(viaConvolution, rtol: 1e-5, atol: 1e-5), "patch embeddings differ");
        Assert.True(productGradient.allclose(convolutionGradient, rtol: 1e-4, atol: 1e-5), "conv1 weight gradients differ");
    }

    [Fact]
    public void EmbedPatches_OtherResolution_UsesConvolution()
    {
        using var scope = NewDisposeScope();
        using var encoder = CreateEncoder();
        var pixels = randn(2, 3, 40, 40);

        var tokens = encoder.EmbedPatches(pixels);

        Assert.Equal(new long[] { 2, 25, 64 }, tokens.shape);
        Assert.True(tokens.allclose(encoder.EmbedPatchesWithConvolution(pixels)));
    }
}
