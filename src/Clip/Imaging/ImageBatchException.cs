namespace Clip.Imaging;

/// <summary>The exception thrown when an image of a batch fails; it names the item.</summary>
public sealed class ImageBatchException : Exception
{
    /// <summary>Creates the exception for the failed item at <paramref name="index"/>.</summary>
    /// <param name="index">Position of the failed image in the input list.</param>
    /// <param name="sourceName">Its path or name.</param>
    /// <param name="otherFailures">How many other images of the batch failed too.</param>
    /// <param name="innerException">The item's exception.</param>
    public ImageBatchException(int index, string sourceName, int otherFailures, Exception innerException)
        : base($"Batch item {index} ('{sourceName}') failed{(otherFailures > 0 ? $", and {otherFailures} other item(s) failed too" : "")}: {innerException.Message}", innerException)
    {
        Index = index;
        SourceName = sourceName;
        OtherFailures = otherFailures;
    }

    /// <summary>Position of the failed image in the input list (the first, when several failed).</summary>
    public int Index { get; }

    /// <summary>Its path or name.</summary>
    public string SourceName { get; }

    /// <summary>How many other images of the batch failed too.</summary>
    public int OtherFailures { get; }
}
