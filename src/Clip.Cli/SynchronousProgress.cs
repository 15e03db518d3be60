namespace Clip.Cli;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, under a lock, so reports
/// arrive in order (<see cref="Progress{T}"/> posts them to the thread pool, where they can overtake each other).
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;
    private readonly Lock _gate = new();

    /// <summary>Creates the reporter.</summary>
    /// <param name="handler">Called for each report.</param>
    public SynchronousProgress(Action<T> handler)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
    }

    /// <inheritdoc />
    public void Report(T value)
    {
        lock (_gate)
        {
            _handler(value);
        }
    }
}
