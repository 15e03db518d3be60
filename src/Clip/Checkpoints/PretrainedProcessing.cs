using Clip.Imaging;
using Clip.Modeling;
using Clip.Text;

namespace Clip.Checkpoints;

/// <summary>
/// Resolves the tokenizer and image preprocessing that match a pretrained checkpoint, from the files beside
/// its weights and from its configuration.
/// </summary>
internal static class PretrainedProcessing
{
    // The reference's clip.tokenize pads with 0.
    private const long ReferencePadId = 0;

    /// <summary>The vocabulary and row settings for the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">
    /// Only one of <c>vocab.json</c> and <c>merges.txt</c> exists, a file is invalid, or the vocabulary does
    /// not fit the model (ids beyond its embedding, or an end token other than the one it pools at).
    /// </exception>
    public static (ClipVocabulary Vocabulary, long PadId, int ContextLength) ResolveTokenizer(string path)
    {
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(path);
        TextConfig text = checkpoint.ResolveConfig().Text;
        ClipVocabulary vocabulary = LoadVocabulary(checkpoint);
        if (vocabulary.Count > text.VocabSize || vocabulary.EndOfTextId != text.EndOfTextTokenId)
        {
            string source = checkpoint.VocabularyFile is null
                ? $"OpenAI's vocabulary (used because the checkpoint has no {PretrainedCheckpoint.VocabularyFileName})"
                : $"the vocabulary in {PretrainedCheckpoint.VocabularyFileName}";
            throw new CheckpointFormatException(
                checkpoint.Path,
                $"{source} has {vocabulary.Count} tokens with the end token at id {vocabulary.EndOfTextId}, but the model embeds "
                + $"{text.VocabSize} tokens and pools at id {text.EndOfTextTokenId}. "
                + $"Put the model's {PretrainedCheckpoint.VocabularyFileName} and {PretrainedCheckpoint.MergesFileName} beside its weights");
        }

        return (vocabulary, ResolvePadId(checkpoint, vocabulary), text.ContextLength);
    }

    /// <summary>The preprocessing settings for the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">
    /// <c>preprocessor_config.json</c> is invalid, resizes to another size than it crops, or crops to another
    /// size than the model's input resolution.
    /// </exception>
    public static ImagePreprocessorOptions ResolveImageOptions(string path)
    {
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(path);
        int resolution = checkpoint.ResolveConfig().Vision.ImageResolution;
        if (checkpoint.PreprocessorConfigFile is not string file)
        {
            return new ImagePreprocessorOptions { Resolution = resolution };
        }

        // NOTE: the standard CLIPImageProcessor steps are assumed: bicubic resize of the shorter side, center
        // crop, rescale by 1/255 and normalise. The resample, do_* and rescale_factor fields are not checked.
        HuggingFacePreprocessorConfig settings = HuggingFacePreprocessorConfig.Read(file);
        if (settings.ShortestEdge != settings.CropSize)
        {
            throw new CheckpointFormatException(
                file,
                $"the shorter side is resized to {settings.ShortestEdge} and then cropped to {settings.CropSize}; "
                + "the preprocessor supports only a crop of the resized size (the shorter side resized to the crop size)");
        }

        if (settings.CropSize != resolution)
        {
            throw new CheckpointFormatException(
                file,
                $"the crop size is {settings.CropSize} pixels, but the model's input resolution is {resolution}");
        }

        return new ImagePreprocessorOptions
        {
            Resolution = settings.CropSize,
            Crop = CropMode.Center,
            Mean = settings.Mean.Select(value => (float)value).ToArray(),
            Std = settings.Std.Select(value => (float)value).ToArray(),
        };
    }

    private static ClipVocabulary LoadVocabulary(PretrainedCheckpoint checkpoint)
    {
        if (checkpoint.VocabularyFile is null && checkpoint.MergesFile is null)
        {
            return ClipVocabulary.OpenAi;
        }

        if (checkpoint.VocabularyFile is not string vocabularyFile || checkpoint.MergesFile is not string mergesFile)
        {
            string present = checkpoint.VocabularyFile is null ? PretrainedCheckpoint.MergesFileName : PretrainedCheckpoint.VocabularyFileName;
            string absent = checkpoint.VocabularyFile is null ? PretrainedCheckpoint.VocabularyFileName : PretrainedCheckpoint.MergesFileName;
            throw new CheckpointFormatException(checkpoint.Path, $"{absent} is missing, but {present} exists. A tokenizer needs both files: add {absent}, or remove {present} to use OpenAI's vocabulary");
        }

        try
        {
            return ClipVocabulary.LoadHuggingFace(vocabularyFile, mergesFile);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(checkpoint.Path, $"the tokenizer files are invalid: {e.Message}", e);
        }
    }

    // The pad token named by tokenizer_config.json wins. Without one, a transformers folder pads with the end
    // token as transformers' CLIPTokenizer does, and every other checkpoint pads with the reference's 0.
    private static long ResolvePadId(PretrainedCheckpoint checkpoint, ClipVocabulary vocabulary)
    {
        string? padToken = checkpoint.TokenizerConfigFile is string file ? HuggingFaceTokenizerConfig.Read(file).PadToken : null;
        if (padToken is null && checkpoint.Format == CheckpointFormat.HuggingFaceFolder)
        {
            padToken = HuggingFaceTokenizerConfig.DefaultPadToken;
        }

        if (padToken is null)
        {
            return ReferencePadId;
        }

        return vocabulary.Ids.TryGetValue(padToken, out int id)
            ? id
            : throw new CheckpointFormatException(
                checkpoint.Path,
                $"the pad token '{padToken}' of {HuggingFaceTokenizerConfig.FileName} is not in the vocabulary");
    }
}
