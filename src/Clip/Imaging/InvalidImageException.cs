namespace Clip.Imaging;

/// <summary>The exception thrown when an image source cannot be decoded or preprocessed.</summary>
public sealed class InvalidImageException : Exception
{
    /// <summary>Creates the exception for the source named <paramref name="sourceName"/>.</summary>
    /// <param name="sourceName">The file path or the name given to a stream or byte array.</param>
    /// <param name="reason">The kind of failure.</param>
    /// <param name="detail">What went wrong, as a sentence.</param>
    /// <param name="innerException">The decoder's exception, when there is one.</param>
    public InvalidImageException(string sourceName, InvalidImageReason reason, string detail, Exception? innerException = null)
        : base($"Image '{sourceName}' could not be preprocessed ({reason}): {detail}", innerException)
    {
        SourceName = sourceName;
        Reason = reason;
    }

    /// <summary>The file path or the name given to a stream or byte array.</summary>
    public string SourceName { get; }

    /// <summary>The kind of failure.</summary>
    public InvalidImageReason Reason { get; }
}
