using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

/// <summary>
/// Checks the reference initialisation scheme by the sample statistics of freshly created weights. RN50 is the
/// model under test for the text tower and the ResNet; vit-demo for the Vision Transformer.
/// </summary>
public sealed class InitializationTests : IClassFixture<InitializationTests.Models>
{
    /// <summary>Allowed relative error of a sample standard deviation; the smallest checked tensor has 16,384 elements.</summary>
    private const double StdRelative = 0.05;

    /// <summary>Allowed absolute sample mean, in units of the expected standard deviation.</summary>
    private const double MeanInStds = 0.05;

    private readonly Models _models;

    public InitializationTests(Models models)
    {
        _models = models;
    }

    [Fact]
    public void TextTower_FollowsReferenceStandardDeviations()
    {
        var model = _models.ResNet;
        int width = model.Config.Text.Width;
        int layers = model.Config.Text.Layers;
        double attentionStd = Math.Pow(width, -0.5);
        double projectionStd = attentionStd * Math.Pow(2.0 * layers, -0.5);
        double fullyConnectedStd = Math.Pow(2.0 * width, -0.5);

        AssertNormal(model.token_embedding.weight!, 0.02, "token_embedding.weight");
        AssertNormal(model.positional_embedding, 0.01, "positional_embedding");
        AssertNormal(model.text_projection, attentionStd, "text_projection");
        foreach (var (block, index) in model.transformer.resblocks.Select((block, index) => (block, index)))
        {
            AssertNormal(block.attn.in_proj_weight, attentionStd, $"resblocks.{index}.attn.in_proj_weight");
            AssertNormal(block.attn.out_proj.weight!, projectionStd, $"resblocks.{index}.attn.out_proj.weight");
            AssertNormal(block.FullyConnected.weight!, fullyConnectedStd, $"resblocks.{index}.mlp.c_fc.weight");
            AssertNormal(block.OutputProjection.weight!, projectionStd, $"resblocks.{index}.mlp.c_proj.weight");
            Assert.Equal(0.0, block.attn.in_proj_bias.abs().max().item<float>());
            Assert.Equal(0.0, block.attn.out_proj.bias!.abs().max().item<float>());
        }
    }

    [Fact]
    public void LogitScale_StartsAtLogOfInverseTemperature()
    {
        Assert.Equal(Math.Log(1 / 0.07), _models.ResNet.logit_scale.item<float>(), 5);
    }

    [Fact]
    public void ResNet_AttentionPoolFollowsReference()
    {
        var pool = ((ModifiedResNet)_models.ResNet.visual).attnpool;
        double std = Math.Pow(pool.c_proj.in_features, -0.5);

        AssertNormal(pool.q_proj.weight!, std, "attnpool.q_proj.weight");
        AssertNormal(pool.k_proj.weight!, std, "attnpool.k_proj.weight");
        AssertNormal(pool.v_proj.weight!, std, "attnpool.v_proj.weight");
        AssertNormal(pool.c_proj.weight!, std, "attnpool.c_proj.weight");
        AssertNormal(pool.positional_embedding, std, "attnpool.positional_embedding");
    }

    [Fact]
    public void ResNet_Bn3Weights_AreZero()
    {
        var bn3Weights = _models.ResNet.named_parameters()
            .Where(pair => pair.name.StartsWith("visual.layer", StringComparison.Ordinal) && pair.name.EndsWith("bn3.weight", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(3 + 4 + 6 + 3, bn3Weights.Count);
        Assert.All(bn3Weights, pair => Assert.Equal(0.0, pair.parameter.abs().max().item<float>()));
        Assert.Equal(1.0, ((ModifiedResNet)_models.ResNet.visual).bn3.weight!.min().item<float>());
    }

    [Fact]
    public void VisionTransformer_Embeddings_UseWidthStd()
    {
        var visual = (VisionTransformer)_models.Vit.visual;
        double std = Math.Pow(_models.Vit.Config.Vision.Width, -0.5);

        AssertNormal(visual.positional_embedding, std, "visual.positional_embedding");
        AssertNormal(visual.proj, std, "visual.proj");
        Assert.Equal(std, visual.class_embedding.std().item<float>(), 1);
    }

    private static void AssertNormal(Tensor values, double expectedStd, string name)
    {
        double std = values.std().item<float>();
        double mean = values.mean().item<float>();
        Assert.True(Math.Abs(std - expectedStd) <= StdRelative * expectedStd, $"{name}: std {std:G4}, expected {expectedStd:G4}.");
        Assert.True(Math.Abs(mean) <= MeanInStds * expectedStd, $"{name}: mean {mean:G4}, expected 0 (std {expectedStd:G4}).");
    }

    /// <summary>The models under test, created once for the class.</summary>
    public sealed class Models : IDisposable
    {
        public ClipModel ResNet { get; } = ClipModel.Create(ClipPresets.Get("RN50"));

        public ClipModel Vit { get; } = ClipModel.Create(ClipPresets.Get(ClipPresets.VitDemo));

        public void Dispose()
        {
            ResNet.Dispose();
            Vit.Dispose();
        }
    }
}
