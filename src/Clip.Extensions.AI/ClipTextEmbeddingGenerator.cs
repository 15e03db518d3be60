using Clip.Text;
using Microsoft.Extensions.AI;
using static TorchSharp.torch;

namespace Clip.Extensions.AI;

/// <summary>
/// Generates CLIP text embeddings through Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.
/// The vectors share one space with those of a <see cref="ClipImageEmbeddingGenerator"/> over the same model, so a
/// text can be compared with an image by cosine similarity.
/// </summary>
/// <remarks>
/// <para>
/// The generator does not own the model or the tokenizer: dispose them after the generator, and keep the model in
/// eval mode while the generator uses it. One instance may serve concurrent requests.
/// </para>
/// <para>
/// Texts are tokenized with the model's context length and encoded in batches of
/// <see cref="ClipEmbeddingGeneratorOptions.BatchSize"/> on a thread-pool thread, because encoding is CPU-bound.
/// Cancellation is checked before each batch; a batch that has started runs to its end.
/// </para>
/// </remarks>
public sealed class ClipTextEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ClipModel _model;
    private readonly ClipTokenizer _tokenizer;
    private readonly ClipEmbeddingGeneratorOptions _options;
    private readonly ClipTokenizeOptions _tokenizeOptions;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private volatile bool _disposed;

    /// <summary>Creates a text embedding generator over a loaded model.</summary>
    /// <param name="model">The model, in eval mode; not owned by the generator.</param>
    /// <param name="tokenizer">The tokenizer whose vocabulary the model was trained with; not owned by the generator.</param>
    /// <param name="options">Batch size, model id, truncation and normalisation; the defaults when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentException">The model is in training mode.</exception>
    public ClipTextEmbeddingGenerator(ClipModel model, ClipTokenizer tokenizer, ClipEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        EmbeddingBatches.EnsureInferenceMode(model, nameof(model));

        _model = model;
        _tokenizer = tokenizer;
        _options = options ?? new ClipEmbeddingGeneratorOptions();
        _tokenizeOptions = new ClipTokenizeOptions
        {
            ContextLength = model.Config.Text.ContextLength,
            Truncate = _options.TruncateLongTexts,
        };
        _metadata = EmbeddingBatches.CreateMetadata(model, _options);
    }

    /// <summary>The provider name, model id and embedding width (the model's joint embedding dimension).</summary>
    public EmbeddingGeneratorMetadata Metadata => _metadata;

    /// <summary>Encodes <paramref name="values"/> into one embedding each, in input order.</summary>
    /// <param name="values">The texts; none may be null.</param>
    /// <param name="options">Per-request options: <see cref="EmbeddingGenerationOptions.Dimensions"/> must be null or the
    /// model's embedding width, <see cref="EmbeddingGenerationOptions.ModelId"/> null or this generator's model id.</param>
    /// <param name="cancellationToken">Cancels the request between batches.</param>
    /// <returns>The embeddings, with <see cref="UsageDetails.InputTokenCount"/> set to the number of tokens encoded
    /// (including the start and end tokens of each text).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is null.</exception>
    /// <exception cref="ArgumentException">The options cannot be honoured, or a text is too long and
    /// <see cref="ClipEmbeddingGeneratorOptions.TruncateLongTexts"/> is false.</exception>
    /// <exception cref="ObjectDisposedException">The generator has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EmbeddingBatches.ValidateRequest(options, _metadata);

        string[] texts = values.ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentNullException(nameof(values), $"Text {i} of {texts.Length} is null.");
            }
        }

        return Task.Run(() => Generate(texts, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Returns the <see cref="EmbeddingGeneratorMetadata"/>, this generator, its <see cref="ClipModel"/> or its
    /// <see cref="ClipTokenizer"/> when asked for their types without a key.</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbeddingBatches.GetService(this, serviceType, serviceKey, _metadata, _model, _tokenizer);

    /// <summary>Marks the generator disposed; the model and tokenizer stay usable.</summary>
    public void Dispose() => _disposed = true;

    private GeneratedEmbeddings<Embedding<float>> Generate(string[] texts, CancellationToken cancellationToken)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        DateTimeOffset createdAt = DateTimeOffset.UtcNow;
        long tokenCount = 0;

        foreach (ArraySegment<string> batch in EmbeddingBatches.Split(texts, _options.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            EmbeddingBatches.EnsureInferenceMode(_model, "model");

            using var scope = NewDisposeScope();
            using var inference = no_grad();
            Tensor tokens = _tokenizer.Tokenize(batch, _tokenizeOptions);     // [B, L] int64
            Tensor features = _model.EncodeText(tokens, _options.Normalize);  // [B, E]

            // Each row ends at its end-of-text token, the largest id of the vocabulary.
            tokenCount += tokens.argmax(-1).sum().item<long>() + tokens.shape[0]; // each row counts its end position + 1
            EmbeddingBatches.AppendRows(features, result, _metadata.DefaultModelId, createdAt);
        }

        result.Usage = new UsageDetails { InputTokenCount = tokenCount, TotalTokenCount = tokenCount };
        return result;
    }
}
