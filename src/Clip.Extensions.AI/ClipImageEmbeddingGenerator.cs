using System.Runtime.InteropServices;
using Clip.Imaging;
using Microsoft.Extensions.AI;
using static TorchSharp.torch;

namespace Clip.Extensions.AI;

/// <summary>
/// Generates CLIP image embeddings through Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>,
/// from encoded images (PNG, JPEG, and the other formats <see cref="ImagePreprocessor"/> decodes) carried in
/// <see cref="DataContent"/> with an <c>image/*</c> media type.
/// </summary>
/// <remarks>
/// <para>
/// The vectors share one space with those of a <see cref="ClipTextEmbeddingGenerator"/> over the same model. The
/// generator does not own the model or the preprocessor: dispose them after the generator, and keep the model in
/// eval mode while the generator uses it. One instance may serve concurrent requests.
/// </para>
/// <para>
/// Images are decoded and preprocessed, then encoded in batches of <see cref="ClipEmbeddingGeneratorOptions.BatchSize"/>
/// on a thread-pool thread. Cancellation is checked before each batch; a batch that has started runs to its end.
/// </para>
/// </remarks>
public sealed class ClipImageEmbeddingGenerator : IEmbeddingGenerator<DataContent, Embedding<float>>
{
    /// <summary>The top-level media type every input must have.</summary>
    private const string ImageMediaType = "image";

    private readonly ClipModel _model;
    private readonly ImagePreprocessor _preprocessor;
    private readonly ClipEmbeddingGeneratorOptions _options;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private volatile bool _disposed;

    /// <summary>Creates an image embedding generator over a loaded model.</summary>
    /// <param name="model">The model, in eval mode; not owned by the generator.</param>
    /// <param name="preprocessor">A preprocessor whose resolution equals the model's input resolution; not owned by
    /// the generator.</param>
    /// <param name="options">Batch size, model id and normalisation; the defaults when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="preprocessor"/> is null.</exception>
    /// <exception cref="ArgumentException">The model is in training mode, or the resolutions differ.</exception>
    public ClipImageEmbeddingGenerator(ClipModel model, ImagePreprocessor preprocessor, ClipEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(preprocessor);
        EmbeddingBatches.EnsureInferenceMode(model, nameof(model));

        int modelResolution = model.Config.Vision.ImageResolution;
        if (preprocessor.Options.Resolution != modelResolution)
        {
            throw new ArgumentException(
                $"The preprocessor produces {preprocessor.Options.Resolution} px images, but the model takes {modelResolution} px. Create the preprocessor with Resolution = {modelResolution}.",
                nameof(preprocessor));
        }

        _model = model;
        _preprocessor = preprocessor;
        _options = options ?? new ClipEmbeddingGeneratorOptions();
        _metadata = EmbeddingBatches.CreateMetadata(model, _options);
    }

    /// <summary>The provider name, model id and embedding width (the model's joint embedding dimension).</summary>
    public EmbeddingGeneratorMetadata Metadata => _metadata;

    /// <summary>Decodes, preprocesses and encodes <paramref name="values"/> into one embedding each, in input order.</summary>
    /// <param name="values">Encoded images with an <c>image/*</c> media type; none may be null.</param>
    /// <param name="options">Per-request options: <see cref="EmbeddingGenerationOptions.Dimensions"/> must be null or the
    /// model's embedding width, <see cref="EmbeddingGenerationOptions.ModelId"/> null or this generator's model id.</param>
    /// <param name="cancellationToken">Cancels the request between batches.</param>
    /// <returns>The embeddings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">An item's media type is not <c>image/*</c>, or the options cannot be honoured.</exception>
    /// <exception cref="ImageBatchException">An image cannot be decoded; the exception names its index in
    /// <paramref name="values"/> and counts the other failures of its batch.</exception>
    /// <exception cref="ObjectDisposedException">The generator has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<DataContent> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EmbeddingBatches.ValidateRequest(options, _metadata);

        DataContent[] images = values.ToArray();
        var sources = new ImageSource[images.Length];
        for (int i = 0; i < images.Length; i++)
        {
            sources[i] = ToImageSource(images[i], i, images.Length);
        }

        return Task.Run(() => Generate(sources, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Returns the <see cref="EmbeddingGeneratorMetadata"/>, this generator, its <see cref="ClipModel"/> or its
    /// <see cref="ImagePreprocessor"/> when asked for their types without a key.</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbeddingBatches.GetService(this, serviceType, serviceKey, _metadata, _model, _preprocessor);

    /// <summary>Marks the generator disposed; the model and preprocessor stay usable.</summary>
    public void Dispose() => _disposed = true;

    private static ImageSource ToImageSource(DataContent content, int index, int count)
    {
        if (content is null)
        {
            throw new ArgumentNullException("values", $"Image {index} of {count} is null.");
        }

        if (!content.HasTopLevelMediaType(ImageMediaType))
        {
            throw new ArgumentException(
                $"Input {index} of {count} has media type '{content.MediaType}'; the image embedding generator accepts only image/* content.",
                "values");
        }

        // DataContent usually wraps a whole array; copy only when it wraps a slice of one.
        byte[] bytes = MemoryMarshal.TryGetArray(content.Data, out ArraySegment<byte> segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : content.Data.ToArray();
        return ImageSource.FromBytes(bytes, content.Name ?? $"input {index} ({content.MediaType})");
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(ImageSource[] sources, CancellationToken cancellationToken)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>(sources.Length);
        DateTimeOffset createdAt = DateTimeOffset.UtcNow;

        foreach (ArraySegment<ImageSource> batch in EmbeddingBatches.Split(sources, _options.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            EmbeddingBatches.EnsureInferenceMode(_model, "model");

            using var scope = NewDisposeScope();
            using var inference = no_grad();
            Tensor pixels = Preprocess(batch);                                   // [B, 3, R, R]
            Tensor features = _model.EncodeImage(pixels, _options.Normalize);    // [B, E]
            EmbeddingBatches.AppendRows(features, result, _metadata.DefaultModelId, createdAt);
        }

        return result;
    }

    /// <summary>Preprocesses one batch; a failure names the image's index in the whole request, not in the batch.</summary>
    private Tensor Preprocess(ArraySegment<ImageSource> batch)
    {
        try
        {
            return _preprocessor.PreprocessBatch(batch);
        }
        catch (ImageBatchException error) when (batch.Offset > 0)
        {
            throw new ImageBatchException(error.Index + batch.Offset, error.SourceName, error.OtherFailures, error.InnerException ?? error);
        }
    }
}
