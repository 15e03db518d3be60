using Clip.Checkpoints;

namespace Clip.Imaging;

/// <summary>Creating the preprocessing settings that match a pretrained checkpoint.</summary>
public sealed partial record ImagePreprocessorOptions
{
    /// <summary>
    /// Creates the preprocessing settings of the checkpoint at <paramref name="path"/>: from the folder's
    /// <c>preprocessor_config.json</c> (crop size, mean, standard deviation) when it has one, else OpenAI's
    /// preprocessing at the model's input resolution.
    /// </summary>
    /// <param name="path">A checkpoint file or folder, as <see cref="ClipModel.FromPretrained(string, TorchSharp.torch.Device?)"/> takes.</param>
    /// <returns>
    /// Settings with a center crop and the library's defaults for everything else. EXIF orientation is
    /// applied by default, unlike in the reference and in transformers; set
    /// <see cref="ApplyExifOrientation"/> to false for strict parity on rotated photos.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">
    /// The checkpoint is invalid, or its <c>preprocessor_config.json</c> is invalid, resizes the shorter side to
    /// another size than it crops, or crops to another size than the model's input resolution.
    /// </exception>
    public static ImagePreprocessorOptions FromPretrained(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PretrainedProcessing.ResolveImageOptions(path);
    }
}
