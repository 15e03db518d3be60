namespace Clip.Text;

/// <summary>Settings of a <see cref="ClipTokenizer"/> that hold for every text it encodes.</summary>
public sealed record ClipTokenizerOptions
{
    /// <summary>The default number of distinct words whose ids the tokenizer keeps in memory.</summary>
    public const int DefaultWordCacheCapacity = 100_000;

    private readonly int wordCacheCapacity = DefaultWordCacheCapacity;

    /// <summary>How special-token strings inside user text are treated; <see cref="SpecialTokenHandling.Parse"/> (as the reference) by default.</summary>
    public SpecialTokenHandling SpecialTokens { get; init; } = SpecialTokenHandling.Parse;

    /// <summary>
    /// The maximum number of distinct words whose BPE ids are cached (100,000 by default; 0 turns the
    /// cache off). When the cache is full, further new words are encoded each time they occur.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int WordCacheCapacity
    {
        get => wordCacheCapacity;
        init => wordCacheCapacity = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WordCacheCapacity), value, "The word cache capacity must be 0 or more.");
    }
}
