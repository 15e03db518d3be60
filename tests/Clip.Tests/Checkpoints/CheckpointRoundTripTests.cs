using System.Text.Json.Nodes;
using Clip.Checkpoints;
using Clip.Modeling;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Checkpoints;

/// <summary>Models saved by <see cref="ClipModel.SavePretrained"/> load back unchanged, and the transformers layout matches the fixture's.</summary>
public sealed class CheckpointRoundTripTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("clip-checkpoint-roundtrip-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void SavePretrained_WritesTransformersLayout_ForVisionTransformer()
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.VisionTransformer());

        model.SavePretrained(folder);

        Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(folder, "preprocessor_config.json")));
        Assert.False(File.Exists(Path.Combine(folder, ClipConfigJson.FileName)));
        Assert.Equal("pt", SafeTensors.ReadHeader(Path.Combine(folder, "model.safetensors")).Metadata["format"]);
    }

    [Fact]
    public void FromPretrained_RestoresEveryTensor_AfterTransformersSave()
    {
        AssertRoundTrip(SmallConfigs.VisionTransformer(), PretrainedLayout.HuggingFace, CheckpointFormat.HuggingFaceFolder);
    }

    [Fact]
    public void FromPretrained_RestoresEveryTensor_AfterOpenAiLayoutSave()
    {
        AssertRoundTrip(SmallConfigs.VisionTransformer(), PretrainedLayout.OpenAi, CheckpointFormat.OpenAiLayoutFolder);
    }

    [Fact]
    public void FromPretrained_RestoresEveryTensor_AfterResNetSave()
    {
        AssertRoundTrip(SmallConfigs.ResNet(), PretrainedLayout.Automatic, CheckpointFormat.OpenAiLayoutFolder);
    }

    [Fact]
    public void SavePretrained_RejectsTransformersLayout_ForResNet()
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.ResNet());

        Assert.Throws<ArgumentException>(() => model.SavePretrained(folder, PretrainedLayout.HuggingFace));
    }

    [Fact]
    public void FromPretrained_ReadsConfigFromMetadata_OfSavedSafeTensorsFile()
    {
        ClipConfig config = SmallConfigs.VisionTransformer();
        using ClipModel model = ClipModel.Create(config);
        model.SavePretrained(folder, PretrainedLayout.OpenAi);

        using ClipModel loaded = ClipModel.FromPretrained(Path.Combine(folder, PretrainedCheckpoint.SafeTensorsFileName));

        Assert.Equal(config, loaded.Config);
    }

    [Fact]
    public void SavePretrained_MatchesFixtureTransformersFiles()
    {
        string checkpoints = Path.Combine(TestPaths.GoldenModels, "vit_tiny", "checkpoints");
        ClipConfig config = ClipConfigJson.Read(Path.Combine(TestPaths.GoldenModels, "vit_tiny", "config.json"));
        using ClipModel model = ClipModel.FromPretrained(Path.Combine(checkpoints, "state_dict.pt"), new PretrainedLoadOptions { Config = config });

        model.SavePretrained(folder);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> expected = SafeTensors.Load(Path.Combine(checkpoints, "hf", "model.safetensors"));
        Dictionary<string, Tensor> written = SafeTensors.Load(Path.Combine(folder, "model.safetensors"));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        foreach ((string key, Tensor want) in expected)
        {
            Assert.True(written[key].equal(want).all().item<bool>(), $"'{key}' differs from the fixture's transformers file.");
        }

        JsonNode expectedConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoints, "hf", "config.json")))!;
        JsonNode writtenConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        Assert.True(JsonNode.DeepEquals(expectedConfig, writtenConfig), $"config.json differs:\n{writtenConfig}");
    }

    [Fact]
    public void HuggingFaceMapping_InvertsItself()
    {
        using var scope = NewDisposeScope();
        using ClipModel model = ClipModel.Create(SmallConfigs.VisionTransformer());
        Dictionary<string, Tensor> reference = model.state_dict();

        Dictionary<string, Tensor> huggingFace = HuggingFaceClipMapping.ToHuggingFaceLayout(reference);
        Dictionary<string, Tensor> back = HuggingFaceClipMapping.ToReferenceLayout(huggingFace);

        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        foreach ((string key, Tensor want) in reference)
        {
            Assert.True(back[key].equal(want).all().item<bool>(), $"'{key}' changed in the round trip.");
        }
    }

    [Fact]
    public void HuggingFaceMapping_SplitsPackedProjectionInQueryKeyValueOrder()
    {
        using var scope = NewDisposeScope();
        Tensor packed = arange(6 * 2, dtype: ScalarType.Float32).reshape(6, 2);
        var reference = new Dictionary<string, Tensor> { ["transformer.resblocks.0.attn.in_proj_weight"] = packed };

        Dictionary<string, Tensor> split = HuggingFaceClipMapping.ToHuggingFaceLayout(reference);

        Assert.True(split["text_model.encoder.layers.0.self_attn.q_proj.weight"].equal(packed[..2]).all().item<bool>());
        Assert.True(split["text_model.encoder.layers.0.self_attn.k_proj.weight"].equal(packed[2..4]).all().item<bool>());
        Assert.True(split["text_model.encoder.layers.0.self_attn.v_proj.weight"].equal(packed[4..]).all().item<bool>());
    }

    private void AssertRoundTrip(ClipConfig config, PretrainedLayout layout, CheckpointFormat expectedFormat)
    {
        using var scope = NewDisposeScope();
        using ClipModel model = ClipModel.Create(config);
        model.SavePretrained(folder, layout);

        using ClipModel loaded = ClipModel.FromPretrained(folder);
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(folder);

        Assert.Equal(expectedFormat, checkpoint.Format);
        Assert.Equal(config, loaded.Config);
        Dictionary<string, Tensor> want = model.state_dict();
        Dictionary<string, Tensor> got = loaded.state_dict();
        Assert.Equal(want.Keys, got.Keys);
        foreach ((string key, Tensor tensor) in want)
        {
            Assert.True(got[key].equal(tensor).all().item<bool>(), $"'{key}' changed in the round trip through {layout}.");
        }
    }
}
