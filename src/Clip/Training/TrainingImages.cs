using Clip.Imaging;
using SixLabors.ImageSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>Builds the image preprocessing of training (augmented) and of validation (reference) for a model.</summary>
internal static class TrainingImages
{
    /// <summary>Returns the two preprocessing functions; both produce [3, R, R] float32 tensors the caller owns.</summary>
    /// <exception cref="ArgumentException">The configured preprocessing resolution is not the model's.</exception>
    public static (Func<Image, Random, Tensor> Train, Func<Image, Tensor> Evaluate) Create(int modelResolution, TrainingOptions options)
    {
        ImagePreprocessorOptions settings = options.Preprocessing ?? ImagePreprocessorOptions.Reference(modelResolution);
        if (settings.Resolution != modelResolution)
        {
            throw new ArgumentException(
                $"{nameof(TrainingOptions.Preprocessing)} resizes to {settings.Resolution} px, but the model takes {modelResolution} px images; set the model's resolution.",
                nameof(options));
        }

        // The data pipeline already runs one image per worker thread, so each image is processed on one thread.
        var preprocessor = new ImagePreprocessor(settings with { MaxDegreeOfParallelism = 1 });
        Func<Image, Random, Tensor> train = options.Augmentation is { } augmentation
            ? (image, random) => preprocessor.PreprocessAugmented(ImageSource.FromImage(image), augmentation, random.Next())
            : (image, _) => preprocessor.Preprocess(image);
        return (train, preprocessor.Preprocess);
    }
}
