using System.Runtime.CompilerServices;

namespace Clip.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// Gives libtorch one intra-op thread per test. xunit already runs test classes in parallel, one per
    /// core, and libtorch's own thread pool on top of that oversubscribes the cores and slows every test
    /// many times over on a loaded two-core machine.
    /// </summary>
    [ModuleInitializer]
    internal static void LimitTorchThreads() => TorchSharp.torch.set_num_threads(1);
}
