namespace Clip.Data;

/// <summary>One (image, caption) pair read from a captioned data file.</summary>
/// <param name="ImagePath">Full path of the image file, resolved against the folder of the data file.</param>
/// <param name="Caption">The caption text, exactly as stored in the data file.</param>
/// <param name="Label">The value of the optional label column or key, or <see langword="null"/> when none is configured.</param>
/// <param name="Extra">
/// The remaining columns or keys of the record by name, or <see langword="null"/> when the record has none.
/// </param>
public sealed record CaptionedImage(
    string ImagePath,
    string Caption,
    string? Label = null,
    IReadOnlyDictionary<string, string>? Extra = null);
