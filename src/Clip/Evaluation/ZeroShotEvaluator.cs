using Clip.Data;
using Clip.Imaging;
using Clip.ZeroShot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>Zero-shot accuracy of a <see cref="ZeroShotClassifier"/> on a labelled image dataset.</summary>
public static class ZeroShotEvaluator
{
    /// <summary>Classifies every image of <paramref name="dataset"/> and compares with its label.</summary>
    /// <param name="classifier">A classifier whose classes are the dataset's classes, in the same order.</param>
    /// <param name="dataset">The labelled images.</param>
    /// <param name="preprocessor">The preprocessing of the classifier's model, for example the reference one at its resolution.</param>
    /// <param name="progress">Receives a report after each batch of images.</param>
    /// <returns>Top-1 and top-5 accuracy, mean per-class recall and the confusion matrix.</returns>
    /// <exception cref="ArgumentException">The classifier and the dataset have different numbers of classes, or the dataset is empty.</exception>
    public static ClassificationReport Evaluate(
        ZeroShotClassifier classifier,
        ILabelledImageDataset dataset,
        ImagePreprocessor preprocessor,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (classifier.ClassNames.Count != dataset.ClassNames.Count)
        {
            throw new ArgumentException(
                $"The classifier has {classifier.ClassNames.Count} classes but the dataset has {dataset.ClassNames.Count}; build the classifier from the dataset's class names (reworded if needed), in the same order.",
                nameof(classifier));
        }

        if (dataset.Count == 0)
        {
            throw new ArgumentException("The dataset has no images.", nameof(dataset));
        }

        using var scope = NewDisposeScope();
        int batchSize = classifier.Options.ImageBatchSize;
        var logits = new List<Tensor>();
        for (int start = 0; start < dataset.Count; start += batchSize)
        {
            int end = Math.Min(dataset.Count, start + batchSize);
            Tensor pixels = PreprocessRange(dataset, preprocessor, start, end);
            logits.Add(classifier.Logits(pixels));
            pixels.Dispose();
            progress?.Report(new EvaluationProgress(EvaluationStage.Classifying, end, dataset.Count, "images"));
        }

        int[] labels = Enumerable.Range(0, dataset.Count).Select(dataset.GetLabel).ToArray();
        return ClassificationMetrics.Evaluate(cat(logits, 0), labels, dataset.ClassNames);
    }

    /// <summary>Decodes and preprocesses images [start, end) of a dataset into one batch [end - start, 3, R, R].</summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    internal static Tensor PreprocessRange(ILabelledImageDataset dataset, ImagePreprocessor preprocessor, int start, int end)
    {
        var images = new List<Image<Rgb24>>(end - start);
        try
        {
            for (int i = start; i < end; i++)
            {
                images.Add(dataset.LoadImage(i));
            }

            return preprocessor.PreprocessBatch(images.Select(image => ImageSource.FromImage(image)).ToArray());
        }
        finally
        {
            foreach (Image<Rgb24> image in images)
            {
                image.Dispose();
            }
        }
    }
}
