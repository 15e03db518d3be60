namespace Clip.Checkpoints;

/// <summary>
/// Raised when a checkpoint file is truncated, corrupt, of an unknown format, or contains content that the
/// loader does not construct. The message names the file and what the loader expected to find there.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    /// <param name="path">The checkpoint file or folder that failed to load.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The lower-level failure, when there is one.</param>
    public CheckpointFormatException(string path, string message, Exception? innerException = null)
        : base($"Cannot load checkpoint '{path}': {message}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The checkpoint file or folder that failed to load.</summary>
    public string FilePath { get; }
}
