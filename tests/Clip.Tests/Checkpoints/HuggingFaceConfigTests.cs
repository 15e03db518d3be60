using Clip.Checkpoints;
using Clip.Modeling;
using Xunit;

namespace Clip.Tests.Checkpoints;

/// <summary>transformers configuration files: CLIPConfig and CLIPImageProcessor settings.</summary>
public sealed class HuggingFaceConfigTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("clip-hf-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Read_TakesTextHeadsAndEndOfTextFromFixtureConfig()
    {
        string path = Path.Combine(TestPaths.GoldenModels, "vit_tiny", "checkpoints", "hf", "config.json");

        ClipConfig config = HuggingFaceClipConfig.Read(path).ToClipConfig();

        Assert.Equal(2, config.Text.Heads);
        Assert.Equal(1, config.Vision.Heads);
        Assert.Equal(999, config.Text.EndOfTextTokenId);
    }

    [Fact]
    public void ToClipConfig_PoolsAtLargestId_ForLegacyEndOfTextTwo()
    {
        string path = Write("""{"model_type": "clip", "text_config": {"eos_token_id": 2, "bos_token_id": 0}}""");

        ClipConfig config = HuggingFaceClipConfig.Read(path).ToClipConfig();

        Assert.Equal(ClipPresets.Get("ViT-B/32"), config);
        Assert.Equal(config.Text.VocabSize - 1, config.Text.EndOfTextTokenId);
    }

    [Fact]
    public void Read_RejectsActivationOtherThanQuickGelu()
    {
        string path = Write("""{"model_type": "clip", "vision_config": {"hidden_act": "gelu"}}""");

        var error = Assert.Throws<CheckpointFormatException>(() => HuggingFaceClipConfig.Read(path));

        Assert.Contains("'gelu'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RejectsOtherModelType()
    {
        string path = Write("""{"model_type": "bert"}""");

        Assert.Throws<CheckpointFormatException>(() => HuggingFaceClipConfig.Read(path));
    }

    [Fact]
    public void PreprocessorConfig_RoundTrips()
    {
        string path = Path.Combine(folder, "preprocessor_config.json");
        HuggingFacePreprocessorConfig written = HuggingFacePreprocessorConfig.ForResolution(224);

        written.Write(path);
        HuggingFacePreprocessorConfig read = HuggingFacePreprocessorConfig.Read(path);

        Assert.Equal(224, read.ShortestEdge);
        Assert.Equal(224, read.CropSize);
        Assert.Equal(HuggingFacePreprocessorConfig.OpenAiMean, read.Mean);
        Assert.Equal(HuggingFacePreprocessorConfig.OpenAiStd, read.Std);
    }

    [Fact]
    public void PreprocessorConfig_ReadsIntegerSizes_OfOlderFiles()
    {
        string path = Write("""{"size": 336, "crop_size": 336}""");

        HuggingFacePreprocessorConfig read = HuggingFacePreprocessorConfig.Read(path);

        Assert.Equal(336, read.ShortestEdge);
        Assert.Equal(336, read.CropSize);
    }

    private string Write(string json)
    {
        string path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
