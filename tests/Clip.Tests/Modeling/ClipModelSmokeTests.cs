using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class ClipModelSmokeTests
{
    [Theory]
    [InlineData(ClipPresets.VitTiny)]
    [InlineData(ClipPresets.ResNetTiny)]
    [InlineData(ClipPresets.VitDemo)]
    public void Forward_ProducesSquareLogits_ForSmallPresets(string preset)
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(preset));
        model.eval();
        var config = model.Config;
        int resolution = config.Vision.ImageResolution;
        var pixels = randn(2, 3, resolution, resolution);
        var tokens = zeros(2, config.Text.ContextLength, dtype: ScalarType.Int64);
        tokens[0, 0] = 49406L;
        tokens[0, 1] = 320L;
        tokens[0, 2] = config.Text.EndOfTextTokenId;
        tokens[1, 0] = 49406L;
        tokens[1, 1] = config.Text.EndOfTextTokenId;

        var (logitsPerImage, logitsPerText) = model.forward(pixels, tokens);
        var image = model.EncodeImage(pixels, normalize: true);
        var text = model.EncodeText(tokens);

        Assert.Equal(new long[] { 2, 2 }, logitsPerImage.shape);
        Assert.Equal(new long[] { 2, 2 }, logitsPerText.shape);
        Assert.Equal(new long[] { 2, config.EmbedDim }, image.shape);
        Assert.Equal(new long[] { 2, config.EmbedDim }, text.shape);
        Assert.False(image.requires_grad);
    }
}
