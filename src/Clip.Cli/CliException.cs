namespace Clip.Cli;

/// <summary>
/// An error caused by the user's input or environment (a bad option value, a missing file), shown as one
/// line without a stack trace.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>The exit code for usage and input errors.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence that states what failed, on which value, and what to do.</param>
    /// <param name="exitCode">The process exit code; usage errors use <see cref="UsageExitCode"/>.</param>
    /// <param name="innerException">The underlying failure, shown under <c>--verbose</c>.</param>
    public CliException(string message, int exitCode = UsageExitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}
