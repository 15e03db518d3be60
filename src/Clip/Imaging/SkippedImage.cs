namespace Clip.Imaging;

/// <summary>An image a batch left out, and why.</summary>
/// <param name="Index">Position of the image in the input list.</param>
/// <param name="SourceName">The file path or the name given to the source.</param>
/// <param name="Reason">The kind of failure.</param>
/// <param name="Message">The full error message.</param>
public sealed record SkippedImage(int Index, string SourceName, InvalidImageReason Reason, string Message);
