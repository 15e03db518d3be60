using Clip.Data;
using Clip.Imaging;
using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>Frozen image embeddings of a dataset, the input of linear and few-shot probes.</summary>
public static class ImageFeatures
{
    /// <summary>Default number of images encoded per batch.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>Encodes every image of <paramref name="dataset"/> with the model's image tower.</summary>
    /// <param name="model">The CLIP model; it is switched to eval mode during the call and back afterwards.</param>
    /// <param name="dataset">The images.</param>
    /// <param name="preprocessor">The model's preprocessing.</param>
    /// <param name="batchSize">Images per batch; at least 1.</param>
    /// <param name="progress">Receives a report after each batch.</param>
    /// <returns>Unnormalised image embeddings [N, E], float32 on the CPU; the caller owns and disposes them.</returns>
    public static Tensor Encode(
        ClipModel model,
        ILabelledImageDataset dataset,
        ImagePreprocessor preprocessor,
        int batchSize = DefaultBatchSize,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        using var scope = NewDisposeScope();
        using var evaluation = ZeroShot.EvaluationMode.Enter(model);
        var batches = new List<Tensor>();
        for (int start = 0; start < dataset.Count; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            int end = Math.Min(dataset.Count, start + batchSize);
            Tensor pixels = ZeroShotEvaluator.PreprocessRange(dataset, preprocessor, start, end).to(model.Device);
            batches.Add(model.EncodeImage(pixels).to(CPU).to_type(ScalarType.Float32).MoveToOuterDisposeScope());
            progress?.Report(new EvaluationProgress(EvaluationStage.EncodingImages, end, dataset.Count, "images"));
        }

        return cat(batches, 0).MoveToOuterDisposeScope();
    }
}
