namespace Clip.Data;

/// <summary>
/// Which columns (CSV, TSV) or keys (JSON Lines) of a captioned data file hold the image path, the caption
/// and an optional label, and how the file is read.
/// </summary>
/// <remarks>
/// The defaults, <c>filepath</c> and <c>title</c>, are the column names that OpenCLIP's trainer reads from
/// its CSV files by default.
/// </remarks>
public sealed record CaptionedDatasetOptions
{
    /// <summary>Default image-path column, as in OpenCLIP's CSV convention.</summary>
    public const string DefaultImagePathColumn = "filepath";

    /// <summary>Default caption column, as in OpenCLIP's CSV convention.</summary>
    public const string DefaultCaptionColumn = "title";

    private readonly string _imagePathColumn = DefaultImagePathColumn;
    private readonly string _captionColumn = DefaultCaptionColumn;
    private readonly string? _labelColumn;

    /// <summary>Column or key that holds the image path, absolute or relative to the data file's folder.</summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string ImagePathColumn
    {
        get => _imagePathColumn;
        init => _imagePathColumn = RequireName(value, nameof(ImagePathColumn));
    }

    /// <summary>Column or key that holds the caption.</summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string CaptionColumn
    {
        get => _captionColumn;
        init => _captionColumn = RequireName(value, nameof(CaptionColumn));
    }

    /// <summary>Optional column or key that holds a class label; <see langword="null"/> reads no label.</summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? LabelColumn
    {
        get => _labelColumn;
        init => _labelColumn = value is null ? null : RequireName(value, nameof(LabelColumn));
    }

    /// <summary>
    /// The file format, or <see langword="null"/> to infer it from the extension (<c>.csv</c>, <c>.tsv</c>,
    /// <c>.jsonl</c> or <c>.ndjson</c>).
    /// </summary>
    public CaptionedFileFormat? Format { get; init; }

    /// <summary>
    /// Whether every image file must exist. When set, a record whose image is missing stops the enumeration
    /// with a <see cref="FileNotFoundException"/> that names the row or line.
    /// </summary>
    public bool RequireImageFiles { get; init; } = true;

    private static string RequireName(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{parameter} must be a non-empty column or key name, but was '{value}'.", parameter);
        }

        return value;
    }
}
