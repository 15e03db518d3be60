using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

/// <summary>
/// bfloat16 inference: embeddings agree with float32 ones on the reference fixtures and on a published-size model,
/// norm layers keep float32 parameters, and the conversion's preconditions hold.
/// </summary>
public sealed class InferencePrecisionTests
{
    /// <summary>Lowest cosine similarity allowed between a bfloat16 embedding and its float32 counterpart.</summary>
    private const double MinCosine = 0.995;

    /// <summary>Images and texts encoded with the published-size model; small, so the test stays fast.</summary>
    private const int PublishedBatch = 2;

    public static TheoryData<string> Fixtures => GoldenFixture.Names();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void BFloat16ImageFeatures_GoldenFixture_MatchFloat32(string fixtureName)
    {
        using var fixture = GoldenFixture.Open(fixtureName);
        using var scope = NewDisposeScope();
        using var float32 = fixture.CreateModel();
        using var bfloat16 = fixture.CreateModel().UseInferencePrecision(InferencePrecision.BFloat16);

        var cosine = RowCosines(float32.EncodeImage(fixture.Pixels), bfloat16.EncodeImage(fixture.Pixels));

        AssertAgree(cosine, $"{fixtureName} image features");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void BFloat16TextFeatures_GoldenFixture_MatchFloat32(string fixtureName)
    {
        using var fixture = GoldenFixture.Open(fixtureName);
        using var scope = NewDisposeScope();
        using var float32 = fixture.CreateModel();
        using var bfloat16 = fixture.CreateModel().UseInferencePrecision(InferencePrecision.BFloat16);

        var cosine = RowCosines(float32.EncodeText(fixture.Tokens), bfloat16.EncodeText(fixture.Tokens));

        AssertAgree(cosine, $"{fixtureName} text features");
    }

    [Fact]
    public void BFloat16Features_PublishedVitB32_MatchFloat32()
    {
        using var scope = NewDisposeScope();
        using var model = ClipModel.Create(ClipPresets.Get("ViT-B/32"));
        model.eval();
        var pixels = ClipModelTests.RandomPixels(model, PublishedBatch);
        var tokens = ClipModelTests.Tokens(model, PublishedBatch);
        var image = model.EncodeImage(pixels);
        var text = model.EncodeText(tokens);

        model.UseInferencePrecision(InferencePrecision.BFloat16);

        AssertAgree(RowCosines(image, model.EncodeImage(pixels)), "ViT-B/32 image features");
        AssertAgree(RowCosines(text, model.EncodeText(tokens)), "ViT-B/32 text features");
    }

    [Fact]
    public void UseInferencePrecision_BFloat16_KeepsNormsInFloat32()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.ResNetTiny));
        model.eval();
        var visual = (ModifiedResNet)model.visual;
        using var lnWeight = model.ln_final.weight.detach().clone();
        using var runningVar = visual.bn1.running_var!.detach().clone();

        model.UseInferencePrecision(InferencePrecision.BFloat16);

        Assert.Equal(ScalarType.BFloat16, model.DType);
        Assert.Equal(InferencePrecision.BFloat16, model.Precision);
        Assert.Equal(ScalarType.BFloat16, model.text_projection.dtype);
        Assert.Equal(ScalarType.BFloat16, visual.conv1.weight!.dtype);
        Assert.True(model.ln_final.weight.allclose(lnWeight, rtol: 0, atol: 0), "ln_final.weight changed");
        Assert.True(visual.bn1.running_var!.allclose(runningVar, rtol: 0, atol: 0), "visual.bn1.running_var changed");
    }

    [Fact]
    public void UseInferencePrecision_Float32OnFloat32Model_ChangesNothing()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();

        var returned = model.UseInferencePrecision(InferencePrecision.Float32);

        Assert.Same(model, returned);
        Assert.Equal(ScalarType.Float32, model.DType);
    }

    [Fact]
    public void UseInferencePrecision_TrainingMode_Throws()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.train();

        var error = Assert.Throws<InvalidOperationException>(() => model.UseInferencePrecision(InferencePrecision.BFloat16));

        Assert.Contains("eval()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseInferencePrecision_Float32AfterBFloat16_Throws()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.eval();
        model.UseInferencePrecision(InferencePrecision.BFloat16);

        Assert.Throws<InvalidOperationException>(() => model.UseInferencePrecision(InferencePrecision.Float32));
    }

    /// <summary>Cosine similarity of each row pair, computed in float32.</summary>
    private static Tensor RowCosines(Tensor expected, Tensor actual) =>
        nn.functional.cosine_similarity(expected.to(ScalarType.Float32), actual.to(ScalarType.Float32), dim: 1);

    private static void AssertAgree(Tensor cosines, string what)
    {
        double lowest = cosines.min().item<float>();
        Assert.True(lowest >= MinCosine, $"{what}: lowest bfloat16-to-float32 cosine similarity {lowest:F5} < {MinCosine}.");
    }
}
