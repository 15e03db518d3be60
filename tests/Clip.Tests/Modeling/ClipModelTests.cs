using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class ClipModelTests
{
    private const long StartOfText = 49406;

    public static TheoryData<string> SmallPresets => new() { ClipPresets.VitTiny, ClipPresets.ResNetTiny, ClipPresets.VitDemo };

    [Theory]
    [MemberData(nameof(SmallPresets))]
    public void Forward_SmallPreset_ReturnsSquareLogits(string preset)
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(preset));
        model.eval();

        var (logitsPerImage, logitsPerText) = model.forward(RandomPixels(model, 2), Tokens(model, 2));

        Assert.Equal(new long[] { 2, 2 }, logitsPerImage.shape);
        Assert.Equal(new long[] { 2, 2 }, logitsPerText.shape);
        Assert.True(logitsPerText.allclose(logitsPerImage.t(), rtol: 0, atol: 0));
    }

    [Theory]
    [MemberData(nameof(SmallPresets))]
    public void Encoders_SmallPreset_ReturnEmbeddings(string preset)
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(preset));
        model.eval();

        var image = model.EncodeImage(RandomPixels(model, 3), normalize: true);
        var text = model.EncodeText(Tokens(model, 3), normalize: true);

        Assert.Equal(new long[] { 3, model.Config.EmbedDim }, image.shape);
        Assert.Equal(new long[] { 3, model.Config.EmbedDim }, text.shape);
        TensorAssert.Close(ones(3), image.norm(1), 1e-6, 0, "image row norms");
        TensorAssert.Close(ones(3), text.norm(1), 1e-6, 0, "text row norms");
    }

    [Fact]
    public void LogitScale_NewModel_IsInverseInitialTemperature()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));

        Assert.Equal(1.0 / ClipModel.InitialTemperature, model.LogitScale, precision: 5);
    }

    [Theory]
    [MemberData(nameof(SmallPresets))]
    public void ImageEncoder_HoldsExactlyTheVisualParameters(string preset)
    {
        using var model = ClipModel.Create(ClipPresets.Get(preset));

        string[] visual = model.named_parameters().Select(p => p.name).Where(name => name.StartsWith("visual.", StringComparison.Ordinal)).Order().ToArray();
        string[] encoder = model.ImageEncoder.named_parameters().Select(p => "visual." + p.name).Order().ToArray();

        Assert.NotEmpty(encoder);
        Assert.Equal(visual, encoder);
    }

    [Fact]
    public void EncodeImage_EvalMode_BuildsNoGraph()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();

        var image = model.EncodeImage(RandomPixels(model, 1));
        var text = model.EncodeText(Tokens(model, 1));

        Assert.False(image.requires_grad);
        Assert.False(text.requires_grad);
    }

    [Fact]
    public void EncodeImage_TrainingMode_BuildsGraph()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.train();

        var image = model.EncodeImage(RandomPixels(model, 1));

        Assert.True(image.requires_grad);
    }

    [Fact]
    public void EncodeText_ShorterThanContext_MatchesPaddedRow()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();
        var tokens = Tokens(model, 2);

        var full = model.EncodeText(tokens);
        var truncated = model.EncodeText(tokens[.., ..8]);

        TensorAssert.Close(full, truncated, 1e-5, 1e-5, "text features of a shortened row");
    }

    [Fact]
    public void EncodeText_RepeatedEndToken_PoolsAtFirst()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();
        long end = model.Config.Text.EndOfTextTokenId;
        var single = tensor(new long[] { StartOfText, 320, end, 0, 0, 0 }, new long[] { 1, 6 });
        var repeated = tensor(new long[] { StartOfText, 320, end, 320, end, 7 }, new long[] { 1, 6 });

        var expected = model.EncodeText(single);
        var actual = model.EncodeText(repeated);

        TensorAssert.Close(expected, actual, 1e-6, 1e-6, "features pooled at the first end-of-text token");
    }

    [Fact]
    public void EncodeText_CustomEndToken_PoolsThere()
    {
        using var scope = NewDisposeScope();
        var preset = ClipPresets.Get(ClipPresets.VitTiny);
        var text = new TextConfig(16, 100, 64, 2, 1, endOfTextTokenId: 50);
        manual_seed(13);
        using var model = ClipModel.Create(new ClipConfig(preset.EmbedDim, preset.Vision, text));
        model.eval();
        var row = tensor(new long[] { 1, 2, 50, 99, 0 }, new long[] { 1, 5 });
        var prefix = tensor(new long[] { 1, 2, 50 }, new long[] { 1, 3 });

        var actual = model.EncodeText(row);
        var expected = model.EncodeText(prefix);

        // A 5-token and a 3-token pass sum in a different order, so they differ by about 1e-6.
        // Pooling at id 99 instead would differ by the size of the features.
        TensorAssert.Close(expected, actual, 1e-5, 1e-5, "features pooled at id 50, not at the largest id 99");
    }

    [Fact]
    public void Forward_TrainingMode_ClampsLogitScaleAt100()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        using (no_grad())
        {
            model.logit_scale.fill_(10.0);
        }

        model.train();
        var pixels = RandomPixels(model, 2);
        var tokens = Tokens(model, 2);
        var (logits, _) = model.forward(pixels, tokens);

        double maxScale = logits.abs().max().item<float>();
        Assert.True(maxScale <= ClipModel.MaxLogitScale * (1 + 1e-6), $"max |logit| {maxScale} exceeds 100.");
    }

    [Fact]
    public void ClampLogitScale_AboveMaximum_ClampsToLog100()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        using (no_grad())
        {
            model.logit_scale.fill_(10.0);
        }

        model.ClampLogitScale();

        Assert.Equal(Math.Log(100), model.logit_scale.item<float>(), 5);
    }

    [Fact]
    public void Loss_Backward_ReachesEveryParameter()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.ResNetTiny));
        model.train();

        using var losses = model.Loss(RandomPixels(model, 3), Tokens(model, 3));
        losses.Loss.backward();

        var withoutGradient = model.named_parameters().Where(pair => pair.parameter.grad is null).Select(pair => pair.name).ToList();
        Assert.Empty(withoutGradient);
        Assert.Equal((losses.ImageLoss.item<float>() + losses.TextLoss.item<float>()) / 2, losses.Loss.item<float>(), 5);
    }

    [Fact]
    public void ToFloat64_KeepsBatchNormCountersInt64()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.ResNetTiny));

        model.to(ScalarType.Float64);

        var counters = model.state_dict().Where(pair => pair.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(counters);
        Assert.All(counters, pair => Assert.Equal(ScalarType.Int64, pair.Value.dtype));
        Assert.Equal(ScalarType.Float64, model.DType);
    }

    [Theory]
    [MemberData(nameof(SmallPresets))]
    public void ToBFloat16_EncodesCloseToFloat32(string preset)
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get(preset));
        model.eval();
        var pixels = RandomPixels(model, 2);
        var tokens = Tokens(model, 2);
        var expectedImage = model.EncodeImage(pixels, normalize: true);
        var expectedText = model.EncodeText(tokens, normalize: true);

        model.to(ScalarType.BFloat16);
        var image = model.EncodeImage(pixels, normalize: true);
        var text = model.EncodeText(tokens, normalize: true);

        Assert.Equal(ScalarType.BFloat16, image.dtype);
        // bfloat16 keeps 8 significant bits, so unit vectors agree to a few hundredths.
        TensorAssert.Close(expectedImage, image.to(ScalarType.Float32), 0.1, 0, "bfloat16 image features");
        TensorAssert.Close(expectedText, text.to(ScalarType.Float32), 0.1, 0, "bfloat16 text features");
    }

    [Fact]
    public void StateDict_HasNoCausalMask()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        using var scope = NewDisposeScope();
        model.eval();
        _ = model.EncodeText(Tokens(model, 1));

        Assert.DoesNotContain(model.state_dict().Keys, key => key.Contains("mask", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(model.named_buffers());
    }

    [Fact]
    public void Attention_StateDictKeys_FollowPyTorchLayout()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));

        var keys = model.state_dict().Keys.Where(key => key.StartsWith("transformer.resblocks.0.", StringComparison.Ordinal)).ToArray();

        Assert.Equal(
            new[]
            {
                "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.attn.in_proj_bias",
                "transformer.resblocks.0.attn.out_proj.weight", "transformer.resblocks.0.attn.out_proj.bias",
                "transformer.resblocks.0.ln_1.weight", "transformer.resblocks.0.ln_1.bias",
                "transformer.resblocks.0.mlp.c_fc.weight", "transformer.resblocks.0.mlp.c_fc.bias",
                "transformer.resblocks.0.mlp.c_proj.weight", "transformer.resblocks.0.mlp.c_proj.bias",
                "transformer.resblocks.0.ln_2.weight", "transformer.resblocks.0.ln_2.bias",
            },
            keys);
    }

    internal static Tensor RandomPixels(ClipModel model, int batch)
    {
        int resolution = model.Config.Vision.ImageResolution;
        return randn(batch, 3, resolution, resolution);
    }

    /// <summary>Rows of the form start, a few body ids, end, zero padding, with different lengths.</summary>
    internal static Tensor Tokens(ClipModel model, int batch)
    {
        var text = model.Config.Text;
        var rows = new long[batch, text.ContextLength];
        for (int row = 0; row < batch; row++)
        {
            int length = 1 + (row % 4);
            rows[row, 0] = StartOfText;
            for (int i = 1; i <= length; i++)
            {
                rows[row, i] = 320 + i + row;
            }

            rows[row, length + 1] = text.EndOfTextTokenId;
        }

        return tensor(rows);
    }
}
