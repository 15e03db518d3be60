namespace Clip.Cli.Emoji;

/// <summary>Settings for preparing the emoji dataset.</summary>
public sealed record EmojiDatasetOptions
{
    /// <summary>The share of base emoji in the seen split (80%).</summary>
    public const double DefaultSeenFraction = 0.8;

    /// <summary>Creates the settings.</summary>
    /// <param name="outputDirectory">The dataset folder: images and index files are written here.</param>
    /// <param name="cacheDirectory">The folder for downloaded tarballs and their extracted contents.</param>
    /// <param name="seenFraction">The share of base emoji in the seen split, in (0, 1).</param>
    /// <param name="maxBaseEmoji">
    /// When set, keep only this many base emoji (with their skin-tone variants), chosen by a stable hash
    /// independent of the split, for small test runs; <see langword="null"/> keeps all.
    /// </param>
    /// <param name="styles">The drawing styles to include; <see langword="null"/> or empty means Google and Twitter.</param>
    /// <exception cref="ArgumentException">A folder is empty, <paramref name="seenFraction"/> is not in (0, 1), or <paramref name="maxBaseEmoji"/> is not positive.</exception>
    public EmojiDatasetOptions(
        string outputDirectory,
        string cacheDirectory,
        double seenFraction = DefaultSeenFraction,
        int? maxBaseEmoji = null,
        IReadOnlyList<EmojiStyle>? styles = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        if (!(seenFraction > 0 && seenFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(seenFraction), seenFraction, "The seen fraction must be greater than 0 and less than 1.");
        }

        if (maxBaseEmoji is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBaseEmoji), maxBaseEmoji, "The maximum number of base emoji must be positive, or null for all.");
        }

        OutputDirectory = Path.GetFullPath(outputDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        SeenFraction = seenFraction;
        MaxBaseEmoji = maxBaseEmoji;
        Styles = styles is { Count: > 0 } ? styles.Distinct().ToArray() : [EmojiStyle.Google, EmojiStyle.Twitter];
    }

    /// <summary>The dataset folder (absolute).</summary>
    public string OutputDirectory { get; }

    /// <summary>The download and extraction cache (absolute).</summary>
    public string CacheDirectory { get; }

    /// <summary>The share of base emoji in the seen split.</summary>
    public double SeenFraction { get; }

    /// <summary>The number of base emoji to keep, or <see langword="null"/> for all.</summary>
    public int? MaxBaseEmoji { get; }

    /// <summary>The drawing styles included.</summary>
    public IReadOnlyList<EmojiStyle> Styles { get; }
}
