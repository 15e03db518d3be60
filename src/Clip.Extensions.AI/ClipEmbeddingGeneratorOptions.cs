namespace Clip.Extensions.AI;

/// <summary>Settings shared by <see cref="ClipTextEmbeddingGenerator"/> and <see cref="ClipImageEmbeddingGenerator"/>.</summary>
public sealed record ClipEmbeddingGeneratorOptions
{
    /// <summary>The batch size used when none is given: small enough for a laptop's memory with ViT-B/32.</summary>
    public const int DefaultBatchSize = 32;

    private readonly int _batchSize = DefaultBatchSize;

    /// <summary>
    /// The model id reported in the generator's metadata and on every embedding (for example
    /// <c>"ViT-B/32"</c>), or <see langword="null"/> to report none.
    /// </summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// The number of inputs encoded in one forward pass. Larger batches are faster per input and need
    /// more memory. Must be at least 1; the default is <see cref="DefaultBatchSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int BatchSize
    {
        get => _batchSize;
        init
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchSize), value, $"BatchSize must be at least 1, but was {value}.");
            }

            _batchSize = value;
        }
    }

    /// <summary>
    /// Whether a text longer than the model's context length is cut to fit (the default), keeping its
    /// first tokens and ending the row with the end-of-text token. When <see langword="false"/>, such a
    /// text makes the whole request fail.
    /// </summary>
    public bool TruncateLongTexts { get; init; } = true;

    /// <summary>
    /// Whether embeddings are scaled to unit L2 norm (the default), so that a dot product is the cosine
    /// similarity. Set to <see langword="false"/> to get the raw projected features.
    /// </summary>
    public bool Normalize { get; init; } = true;
}
