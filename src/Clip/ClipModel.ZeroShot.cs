using Clip.Text;
using Clip.ZeroShot;
using SixLabors.ImageSharp;

namespace Clip;

public sealed partial class ClipModel
{
    /// <summary>
    /// Classifies images into <paramref name="labels"/> without training, by prompt ensembling over
    /// <paramref name="templates"/>, with OpenAI's tokenizer and the reference preprocessing.
    /// </summary>
    /// <remarks>
    /// A one-call convenience: it encodes the prompts of every label on each call. To classify many batches
    /// against the same labels, create a <see cref="ZeroShotClassifier"/> once and reuse it.
    /// </remarks>
    /// <param name="images">The images; they are not modified or disposed.</param>
    /// <param name="labels">Class names, for example "cat" and "dog".</param>
    /// <param name="templates">Prompt templates with one <c>{}</c> each; <see langword="null"/> uses <see cref="PromptTemplates.General"/>.</param>
    /// <returns>For each image, its most probable labels with probabilities.</returns>
    /// <exception cref="ArgumentException">A template does not hold exactly one <c>{}</c>, or a label is empty or repeated.</exception>
    public IReadOnlyList<ZeroShotPrediction> ZeroShotClassify(IReadOnlyList<Image> images, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null)
    {
        using var classifier = new ZeroShotClassifier(this, ClipTokenizer.CreateDefault(), labels, templates);
        return classifier.Classify(images);
    }

    /// <summary>
    /// Classifies image files into <paramref name="labels"/> without training; see
    /// <see cref="ZeroShotClassify(IReadOnlyList{Image}, IReadOnlyList{string}, IReadOnlyList{string}?)"/>.
    /// </summary>
    /// <param name="paths">Paths of image files.</param>
    /// <param name="labels">Class names.</param>
    /// <param name="templates">Prompt templates with one <c>{}</c> each; <see langword="null"/> uses <see cref="PromptTemplates.General"/>.</param>
    /// <returns>For each file, its most probable labels with probabilities.</returns>
    /// <exception cref="ArgumentException">A template does not hold exactly one <c>{}</c>, or a label is empty or repeated.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public IReadOnlyList<ZeroShotPrediction> ZeroShotClassify(IReadOnlyList<string> paths, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null)
    {
        using var classifier = new ZeroShotClassifier(this, ClipTokenizer.CreateDefault(), labels, templates);
        return classifier.Classify(paths);
    }
}
