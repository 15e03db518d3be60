using System.Text.Json.Nodes;
using Clip.Checkpoints;
using Clip.Imaging;
using Clip.Modeling;
using Clip.Text;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Checkpoints;

/// <summary>
/// Saved folders carry the tokenizer and preprocessing files, and <see cref="ClipTokenizer.FromPretrained"/>
/// and <see cref="ImagePreprocessorOptions.FromPretrained"/> read back what matches the model.
/// </summary>
public sealed class PretrainedProcessingTests : IDisposable
{
    private const int OpenAiEndOfTextId = 49407;

    private static readonly string[] Texts =
    [
        "a photo of a cat",
        "A diagram of CLIP's two towers, 1976 edition!",
        "café &amp; crème brûlée",
        "日本語のテキスト",
        "<|endoftext|> inside the text",
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("clip-pretrained-processing-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("config.json")]
    [InlineData("model.safetensors")]
    [InlineData("preprocessor_config.json")]
    [InlineData("vocab.json")]
    [InlineData("merges.txt")]
    [InlineData("tokenizer_config.json")]
    public void SavePretrained_WritesFile_ForOpenAiVocabulary(string fileName)
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);

        Assert.True(File.Exists(Path.Combine(folder, fileName)), $"{fileName} is missing from the saved folder.");
    }

    [Theory]
    [InlineData("vocab.json")]
    [InlineData("merges.txt")]
    [InlineData("tokenizer_config.json")]
    public void SavePretrained_SkipsTokenizerFile_ForOtherVocabulary(string fileName)
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.VisionTransformer());

        model.SavePretrained(folder);

        Assert.False(File.Exists(Path.Combine(folder, fileName)), $"{fileName} was written for a 1,000-token vocabulary.");
    }

    [Fact]
    public void SavePretrained_WritesTokenizerConfig()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);

        HuggingFaceTokenizerConfig settings = HuggingFaceTokenizerConfig.Read(Path.Combine(folder, HuggingFaceTokenizerConfig.FileName));

        Assert.Equal(new HuggingFaceTokenizerConfig(ClipVocabulary.EndOfTextToken, 77), settings);
    }

    [Fact]
    public void TokenizerConfig_ReadsNoLimit_AsNullMaxLength()
    {
        string path = Path.Combine(folder, HuggingFaceTokenizerConfig.FileName);
        File.WriteAllText(path, "{\"model_max_length\": 1000000000000000019884624838656}");

        HuggingFaceTokenizerConfig settings = HuggingFaceTokenizerConfig.Read(path);

        Assert.Null(settings.ModelMaxLength);
    }

    [Fact]
    public void Tokenizer_EncodesLikeDefault()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        ClipTokenizer expected = ClipTokenizer.CreateDefault();

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        foreach (string text in Texts)
        {
            Assert.Equal(expected.EncodeToIds(text), loaded.EncodeToIds(text));
        }
    }

    [Fact]
    public void Tokenizer_RowsMatchDefault_EndTokenPadding()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        ClipTokenizer expected = ClipTokenizer.CreateDefault();

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        using Tensor want = expected.Tokenize(Texts, new ClipTokenizeOptions { PadId = OpenAiEndOfTextId });
        using Tensor got = loaded.Tokenize(Texts);
        Assert.Equal(want.data<long>().ToArray(), got.data<long>().ToArray());
    }

    [Fact]
    public void Tokenizer_KeepsDefaultTextFeatures()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        using ClipModel model = ClipModel.FromPretrained(folder);
        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        using var scope = NewDisposeScope();
        using var gradMode = no_grad();
        Tensor expected = model.EncodeText(ClipTokenizer.CreateDefault().Tokenize(Texts));
        Tensor actual = model.EncodeText(loaded.Tokenize(Texts));

        Assert.True(actual.equal(expected).all().item<bool>(), "Padding with the end token changed the text features.");
    }

    [Fact]
    public void Tokenizer_PadsWithEndToken_TransformersFolder()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        Assert.Equal(OpenAiEndOfTextId, loaded.Options.TokenizeDefaults.PadId);
    }

    [Fact]
    public void Tokenizer_PadsWithEndToken_NoTokenizerConfig()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        File.Delete(Path.Combine(folder, HuggingFaceTokenizerConfig.FileName));

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        Assert.Equal(OpenAiEndOfTextId, loaded.Options.TokenizeDefaults.PadId);
    }

    [Fact]
    public void Tokenizer_RowsMatchDefault_OpenAiLayoutFolder()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.OpenAi);
        ClipTokenizer expected = ClipTokenizer.CreateDefault();

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        using Tensor want = expected.Tokenize(Texts);
        using Tensor got = loaded.Tokenize(Texts);
        Assert.Equal(want.data<long>().ToArray(), got.data<long>().ToArray());
    }

    [Theory]
    [InlineData("\"!\"")]
    [InlineData("{\"content\": \"!\", \"lstrip\": false}")]
    public void Tokenizer_UsesConfiguredPadToken(string padTokenJson)
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        File.WriteAllText(Path.Combine(folder, HuggingFaceTokenizerConfig.FileName), $"{{\"pad_token\": {padTokenJson}}}");

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        Assert.Equal(0, loaded.Options.TokenizeDefaults.PadId); // "!" is the first byte token
    }

    [Fact]
    public void Tokenizer_Throws_UnknownPadToken()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        File.WriteAllText(Path.Combine(folder, HuggingFaceTokenizerConfig.FileName), "{\"pad_token\": \"<pad>\"}");

        var error = Assert.Throws<CheckpointFormatException>(() => ClipTokenizer.FromPretrained(folder));

        Assert.Contains("'<pad>'", error.Message);
    }

    [Fact]
    public void Tokenizer_UsesModelContextLength()
    {
        const int ContextLength = 16;
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace, ContextLength);

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        using Tensor tokens = loaded.Tokenize("a photo of a dog");
        Assert.Equal(new long[] { 1, ContextLength }, tokens.shape);
    }

    [Fact]
    public void Tokenizer_KeepsCallerOptions()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        var options = new ClipTokenizerOptions
        {
            SpecialTokens = SpecialTokenHandling.PlainText,
            TokenizeDefaults = new ClipTokenizeOptions { Truncate = true },
        };

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder, options);

        Assert.Equal(SpecialTokenHandling.PlainText, loaded.Options.SpecialTokens);
        Assert.True(loaded.Options.TokenizeDefaults.Truncate);
    }

    [Fact]
    public void Tokenizer_AcceptsLegacyEndTokenId()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        SetTextConfigValue("eos_token_id", 2); // older OpenAI configs: pool at the largest id

        ClipTokenizer loaded = ClipTokenizer.FromPretrained(folder);

        Assert.Equal(OpenAiEndOfTextId, loaded.EndOfTextId);
    }

    [Fact]
    public void Tokenizer_Throws_OtherPoolingId()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        SetTextConfigValue("eos_token_id", 49406);

        var error = Assert.Throws<CheckpointFormatException>(() => ClipTokenizer.FromPretrained(folder));

        Assert.Contains("pools at id 49406", error.Message);
    }

    [Fact]
    public void Tokenizer_Throws_VocabularyMismatch()
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.VisionTransformer());
        model.SavePretrained(folder);

        var error = Assert.Throws<CheckpointFormatException>(() => ClipTokenizer.FromPretrained(folder));

        Assert.Contains("embeds 1000 tokens", error.Message);
    }

    [Fact]
    public void Tokenizer_Throws_MergesMissing()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        File.Delete(Path.Combine(folder, PretrainedCheckpoint.MergesFileName));

        var error = Assert.Throws<CheckpointFormatException>(() => ClipTokenizer.FromPretrained(folder));

        Assert.Contains("merges.txt is missing", error.Message);
    }

    [Fact]
    public void ImageOptions_ReadSavedSettings()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);

        ImagePreprocessorOptions options = ImagePreprocessorOptions.FromPretrained(folder);

        Assert.Equal(32, options.Resolution);
        Assert.Equal(CropMode.Center, options.Crop);
        Assert.Equal(ImagePreprocessorOptions.ClipMean, options.Mean);
        Assert.Equal(ImagePreprocessorOptions.ClipStd, options.Std);
    }

    [Fact]
    public void ImageOptions_ReadMeanAndStd()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        new HuggingFacePreprocessorConfig(32, 32, [0.5, 0.25, 0.125], [0.2, 0.3, 0.4])
            .Write(Path.Combine(folder, PretrainedCheckpoint.PreprocessorFileName));

        ImagePreprocessorOptions options = ImagePreprocessorOptions.FromPretrained(folder);

        Assert.Equal(new[] { 0.5f, 0.25f, 0.125f }, options.Mean);
        Assert.Equal(new[] { 0.2f, 0.3f, 0.4f }, options.Std);
    }

    [Fact]
    public void ImageOptions_UseModelResolution_NoConfig()
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.ResNet());
        model.SavePretrained(folder);
        File.Delete(Path.Combine(folder, PretrainedCheckpoint.PreprocessorFileName));

        ImagePreprocessorOptions options = ImagePreprocessorOptions.FromPretrained(folder);

        Assert.Equal(64, options.Resolution);
    }

    [Fact]
    public void ImageOptions_Throw_CropNotModelResolution()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        HuggingFacePreprocessorConfig.ForResolution(64).Write(Path.Combine(folder, PretrainedCheckpoint.PreprocessorFileName));

        var error = Assert.Throws<CheckpointFormatException>(() => ImagePreprocessorOptions.FromPretrained(folder));

        Assert.Contains("input resolution is 32", error.Message);
    }

    [Fact]
    public void ImageOptions_Throw_ResizeNotCrop()
    {
        SaveOpenAiVocabularyModel(PretrainedLayout.HuggingFace);
        new HuggingFacePreprocessorConfig(36, 32, HuggingFacePreprocessorConfig.OpenAiMean, HuggingFacePreprocessorConfig.OpenAiStd)
            .Write(Path.Combine(folder, PretrainedCheckpoint.PreprocessorFileName));

        Assert.Throws<CheckpointFormatException>(() => ImagePreprocessorOptions.FromPretrained(folder));
    }

    private void SaveOpenAiVocabularyModel(PretrainedLayout layout, int contextLength = 77)
    {
        using ClipModel model = ClipModel.Create(SmallConfigs.OpenAiVocabularyVisionTransformer(contextLength));
        model.SavePretrained(folder, layout);
    }

    private void SetTextConfigValue(string name, int value)
    {
        string path = Path.Combine(folder, HuggingFaceClipConfig.FileName);
        JsonNode config = JsonNode.Parse(File.ReadAllText(path))!;
        config["text_config"]![name] = value;
        File.WriteAllText(path, config.ToJsonString());
    }
}
