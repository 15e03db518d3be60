namespace Clip.Data;

/// <summary>File formats of captioned data.</summary>
public enum CaptionedFileFormat
{
    /// <summary>Comma-separated values with a header row (RFC 4180 quoting).</summary>
    Csv,

    /// <summary>Tab-separated values with a header row (the same quoting rules as CSV).</summary>
    Tsv,

    /// <summary>JSON Lines: one JSON object per line.</summary>
    JsonLines,
}
