namespace Clip.Cli.Emoji;

/// <summary>What <see cref="EmojiDatasetBuilder"/> prepared.</summary>
/// <param name="Directory">The dataset folder (absolute).</param>
/// <param name="CsvPath">The CSV index.</param>
/// <param name="JsonLinesPath">The JSON Lines index.</param>
/// <param name="Records">The captioned images, Google style first, each in <c>emoji.json</c> order.</param>
/// <param name="Packages">The tarballs used.</param>
/// <param name="ImagesWritten">Images composited by this run; the others were already present for the same inputs.</param>
/// <param name="UnlabelledImages">Images dropped because emojibase has no text for their code points.</param>
public sealed record EmojiDatasetResult(
    string Directory,
    string CsvPath,
    string JsonLinesPath,
    IReadOnlyList<EmojiRecord> Records,
    IReadOnlyList<CachedPackage> Packages,
    int ImagesWritten,
    int UnlabelledImages);
