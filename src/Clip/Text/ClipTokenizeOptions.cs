namespace Clip.Text;

/// <summary>Settings for turning texts into fixed-length rows of token ids.</summary>
public sealed record ClipTokenizeOptions
{
    /// <summary>CLIP's context length: every published model reads rows of 77 tokens.</summary>
    public const int DefaultContextLength = 77;

    // The smallest row that holds the start and end tokens.
    private const int MinContextLength = 2;

    private readonly int contextLength = DefaultContextLength;
    private readonly long padId;

    /// <summary>The row length L, start and end tokens included (77 by default, at least 2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 2.</exception>
    public int ContextLength
    {
        get => contextLength;
        init => contextLength = value >= MinContextLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ContextLength), value, $"The context length must be at least {MinContextLength}, room for the start and end tokens.");
    }

    /// <summary>
    /// The id written after the end token (0 by default, as the reference; the Hugging Face OpenAI
    /// checkpoints pad with 49407, the end token).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long PadId
    {
        get => padId;
        init => padId = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PadId), value, "The pad id must be 0 or more.");
    }

    /// <summary>
    /// Whether a text longer than the row is cut: the row keeps the start token and the first L - 2
    /// BPE ids and ends with the end token. When false (the default), such a text makes tokenizing
    /// throw an <see cref="ArgumentException"/>.
    /// </summary>
    public bool Truncate { get; init; }
}
