using System.Globalization;
using Clip.Evaluation;
using Clip.Imaging;
using Clip.Text;
using SixLabors.ImageSharp;
using static TorchSharp.torch;

namespace Clip.ZeroShot;

/// <summary>
/// Classifies images into any list of class names without training: each class name is written into every
/// prompt template, and an image takes the class whose prompt embedding it is most similar to.
/// </summary>
/// <remarks>
/// <para>
/// Prompt ensembling: a class's weight is the mean of the L2-normalised text embeddings of its prompts,
/// normalised again. The weights [C, E] are computed once, in the constructor, and reused by every call.
/// Probabilities are softmax(<see cref="ZeroShotOptions.LogitScale"/> × cosine similarity) over the classes.
/// </para>
/// <para>
/// Encoding runs without autograd, with the model switched to eval mode for the duration of each call and
/// switched back afterwards. The classifier does not own the model, the tokenizer or the preprocessor.
/// </para>
/// </remarks>
public sealed class ZeroShotClassifier : IDisposable
{
    private readonly ClipModel _model;
    private readonly ImagePreprocessor _preprocessor;
    private readonly Tensor _classWeights;

    /// <summary>Encodes the prompts of every class and stores the class weights.</summary>
    /// <param name="model">The CLIP model.</param>
    /// <param name="tokenizer">The tokenizer matching the model's vocabulary.</param>
    /// <param name="classNames">Class names, distinct and non-empty, for example "golden retriever".</param>
    /// <param name="templates">Prompt templates, each with exactly one <c>{}</c>; <see langword="null"/> uses <see cref="PromptTemplates.General"/>.</param>
    /// <param name="options">Logit scale, batch sizes and top-k; <see langword="null"/> uses the defaults.</param>
    /// <param name="preprocessor">
    /// Preprocessor for images and files; <see langword="null"/> uses the reference preprocessing at the model's image resolution.
    /// </param>
    /// <param name="progress">Receives a report after each batch of prompts.</param>
    /// <exception cref="ArgumentException">
    /// A template contains no <c>{}</c> or more than one (the message names it), a class name is empty or repeated,
    /// or a prompt is longer than the model's context length.
    /// </exception>
    public ZeroShotClassifier(
        ClipModel model,
        ClipTokenizer tokenizer,
        IReadOnlyList<string> classNames,
        IReadOnlyList<string>? templates = null,
        ZeroShotOptions? options = null,
        ImagePreprocessor? preprocessor = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        templates ??= PromptTemplates.General;
        PromptTemplates.Validate(templates, nameof(templates));
        ValidateClassNames(classNames);

        _model = model;
        Options = options ?? new ZeroShotOptions();
        ClassNames = classNames.ToArray();
        Templates = templates.ToArray();
        _preprocessor = preprocessor ?? new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));

        // The classifier owns the weights and frees them in Dispose, so they leave every dispose scope.
        _classWeights = PromptEnsemble.ComputeClassWeights(model, tokenizer, ClassNames, Templates, Options.TextBatchSize, progress).DetachFromDisposeScope();
    }

    /// <summary>The class names, indexed by class.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The prompt templates.</summary>
    public IReadOnlyList<string> Templates { get; }

    /// <summary>The settings.</summary>
    public ZeroShotOptions Options { get; }

    /// <summary>
    /// The class weights [C, E]: unit-norm rows on the model's device, in its dtype. The classifier owns them;
    /// do not dispose or modify them.
    /// </summary>
    public Tensor ClassWeights => _classWeights;

    /// <summary>Computes the scaled cosine similarities of images to every class.</summary>
    /// <param name="pixels">Preprocessed images [B, 3, R, R].</param>
    /// <returns>Logits [B, C], float32 on the CPU; the caller owns and disposes them.</returns>
    public Tensor Logits(Tensor pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        using var scope = NewDisposeScope();
        using var evaluation = EvaluationMode.Enter(_model);
        var batches = new List<Tensor>();
        for (long start = 0; start < pixels.shape[0]; start += Options.ImageBatchSize)
        {
            long length = Math.Min(Options.ImageBatchSize, pixels.shape[0] - start);
            Tensor features = _model.EncodeImage(pixels.narrow(0, start, length).to(_model.Device), normalize: true); // [b, E]
            batches.Add(features.mm(_classWeights.t()).MulScalar(Options.LogitScale).to(CPU).to_type(ScalarType.Float32)); // [b, E] @ [E, C] -> [b, C]
        }

        return cat(batches, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Classifies preprocessed images.</summary>
    /// <param name="pixels">Preprocessed images [B, 3, R, R], as <see cref="ImagePreprocessor"/> produces them.</param>
    /// <returns>One prediction per image, in order.</returns>
    public IReadOnlyList<ZeroShotPrediction> Classify(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        Tensor probabilities = Logits(pixels).softmax(1); // [B, C]
        int k = Math.Min(Options.TopK, ClassNames.Count);
        (Tensor values, Tensor indexes) = probabilities.topk(k, dim: 1); // [B, k]
        float[] topValues = values.contiguous().data<float>().ToArray();
        long[] topIndexes = indexes.contiguous().data<long>().ToArray();

        var predictions = new ZeroShotPrediction[probabilities.shape[0]];
        for (int i = 0; i < predictions.Length; i++)
        {
            var labels = new ZeroShotLabel[k];
            for (int j = 0; j < k; j++)
            {
                int classIndex = (int)topIndexes[(i * k) + j];
                labels[j] = new ZeroShotLabel(ClassNames[classIndex], classIndex, topValues[(i * k) + j]);
            }

            predictions[i] = new ZeroShotPrediction(labels);
        }

        return predictions;
    }

    /// <summary>Preprocesses and classifies decoded images.</summary>
    /// <param name="images">The images; they are not modified or disposed.</param>
    /// <returns>One prediction per image, in order.</returns>
    public IReadOnlyList<ZeroShotPrediction> Classify(IReadOnlyList<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return ClassifyInBatches(images.Select(image => ImageSource.FromImage(image)).ToArray());
    }

    /// <summary>Decodes, preprocesses and classifies image files.</summary>
    /// <param name="paths">Paths of image files.</param>
    /// <returns>One prediction per file, in order.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public IReadOnlyList<ZeroShotPrediction> Classify(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return ClassifyInBatches(paths.Select(ImageSource.FromFile).ToArray());
    }

    /// <summary>Classifies one decoded image.</summary>
    /// <param name="image">The image; it is not modified or disposed.</param>
    public ZeroShotPrediction Classify(Image image) => Classify([image])[0];

    /// <summary>Classifies one image file.</summary>
    /// <param name="path">Path of an image file.</param>
    public ZeroShotPrediction Classify(string path) => Classify([path])[0];

    /// <summary>Releases the class weights.</summary>
    public void Dispose() => _classWeights.Dispose();

    private IReadOnlyList<ZeroShotPrediction> ClassifyInBatches(ImageSource[] sources)
    {
        var predictions = new List<ZeroShotPrediction>(sources.Length);
        for (int start = 0; start < sources.Length; start += Options.ImageBatchSize)
        {
            using var scope = NewDisposeScope();
            ImageSource[] batch = sources[start..Math.Min(sources.Length, start + Options.ImageBatchSize)];
            predictions.AddRange(Classify(_preprocessor.PreprocessBatch(batch)));
        }

        return predictions;
    }

    private static void ValidateClassNames(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count == 0)
        {
            throw new ArgumentException("At least one class name is needed.", nameof(classNames));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < classNames.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(classNames[i]))
            {
                throw new ArgumentException($"Class name {i} is empty.", nameof(classNames));
            }

            if (!seen.Add(classNames[i]))
            {
                throw new ArgumentException($"Class name \"{classNames[i]}\" appears more than once; class names must be distinct.", nameof(classNames));
            }
        }
    }
}
