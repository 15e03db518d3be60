namespace Clip.Tests;

/// <summary>
/// Collects young garbage and runs finalizers in a loop on its own thread until disposed. TorchSharp passes numbers
/// to native code as temporary <c>Scalar</c> objects that a finalizer can free during the call; this makes that
/// race frequent enough for a test to see.
/// </summary>
public sealed class GarbageCollectionHammer : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;

    public GarbageCollectionHammer()
    {
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                // Generation 0 only: the temporaries are young, and a small collection is quick, so it runs
                // thousands of times a second.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true, Name = "GC hammer" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
