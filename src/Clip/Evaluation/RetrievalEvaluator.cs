using Clip.Data;
using Clip.Imaging;
using Clip.Text;
using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>Image-to-text and text-to-image retrieval of a CLIP model on captioned data.</summary>
public static class RetrievalEvaluator
{
    /// <summary>Default number of images or captions encoded per batch.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>
    /// Encodes the distinct images and all captions of <paramref name="records"/> and measures recall@k in both
    /// directions. Records that share an image path are captions of one image.
    /// </summary>
    /// <param name="model">The CLIP model; it is switched to eval mode during the call and back afterwards.</param>
    /// <param name="tokenizer">The tokenizer; captions longer than the context length are truncated.</param>
    /// <param name="preprocessor">The model's preprocessing.</param>
    /// <param name="records">The (image, caption) records, for example a <see cref="CaptionedDataset"/>.</param>
    /// <param name="ks">Recall cut-offs; <see langword="null"/> uses 1, 5 and 10.</param>
    /// <param name="batchSize">Images or captions per batch; at least 1.</param>
    /// <param name="progress">Receives a report after each batch.</param>
    /// <exception cref="ArgumentException">There are no records.</exception>
    public static RetrievalReport Evaluate(
        ClipModel model,
        ClipTokenizer tokenizer,
        ImagePreprocessor preprocessor,
        IEnumerable<CaptionedImage> records,
        IReadOnlyList<int>? ks = null,
        int batchSize = DefaultBatchSize,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        var imageIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var imagePaths = new List<string>();
        var captions = new List<string>();
        var captionImage = new List<int>();
        foreach (CaptionedImage record in records)
        {
            if (!imageIndex.TryGetValue(record.ImagePath, out int index))
            {
                index = imagePaths.Count;
                imageIndex[record.ImagePath] = index;
                imagePaths.Add(record.ImagePath);
            }

            captions.Add(record.Caption);
            captionImage.Add(index);
        }

        if (captions.Count == 0)
        {
            throw new ArgumentException("There are no captioned records to evaluate.", nameof(records));
        }

        using var scope = NewDisposeScope();
        using var evaluation = ZeroShot.EvaluationMode.Enter(model);
        var imageFeatures = new List<Tensor>();
        for (int start = 0; start < imagePaths.Count; start += batchSize)
        {
            int end = Math.Min(imagePaths.Count, start + batchSize);
            Tensor pixels = preprocessor.PreprocessBatch(imagePaths.GetRange(start, end - start)).to(model.Device);
            imageFeatures.Add(model.EncodeImage(pixels, normalize: true).to(CPU).to_type(ScalarType.Float32));
            progress?.Report(new EvaluationProgress(EvaluationStage.EncodingImages, end, imagePaths.Count, "images"));
        }

        var rowOptions = new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength, Truncate = true };
        var textFeatures = new List<Tensor>();
        for (int start = 0; start < captions.Count; start += batchSize)
        {
            int end = Math.Min(captions.Count, start + batchSize);
            Tensor tokens = tokenizer.Tokenize(captions.GetRange(start, end - start), rowOptions).to(model.Device);
            textFeatures.Add(model.EncodeText(tokens, normalize: true).to(CPU).to_type(ScalarType.Float32));
            progress?.Report(new EvaluationProgress(EvaluationStage.EncodingTexts, end, captions.Count, "captions"));
        }

        Tensor similarity = cat(imageFeatures, 0).mm(cat(textFeatures, 0).t()); // [I, E] @ [E, T] -> [I, T]
        return RetrievalMetrics.Evaluate(similarity, captionImage, ks);
    }
}
