namespace Clip.Cli.Emoji;

/// <summary>The npm executable could not be started.</summary>
public sealed class NpmNotFoundException : Exception
{
    /// <summary>Creates the exception for an executable name or path.</summary>
    /// <param name="executable">The name or path that failed to start.</param>
    /// <param name="innerException">The start failure.</param>
    public NpmNotFoundException(string executable, Exception? innerException = null)
        : base($"npm was not found (tried '{executable}'). Install Node.js 18 or later, which includes npm, and make sure npm is on PATH; then run the command again.", innerException)
    {
        Executable = executable;
    }

    /// <summary>The name or path that failed to start.</summary>
    public string Executable { get; }
}
