using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace Clip.Tests.Build;

/// <summary>
/// The build links LibTorch's native files into each output folder instead of copying them, so a full
/// solution build stays small on disk (each copy is about 1 GB).
/// </summary>
public sealed class BuildOutputTests
{
    [Fact]
    public void Build_HardLinksLibTorch()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The check reads device and inode numbers with stat(1).
        }

        string root = typeof(BuildOutputTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string[] cacheCandidates = Directory.GetFiles(root, "libtorch_cpu.so", SearchOption.AllDirectories);
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Assert.True(File.Exists(output), $"'{output}' is missing from the test output.");

        (string Device, string Inode) outputId = FileId(output);
        string[] sameVolume = cacheCandidates.Where(path => FileId(path).Device == outputId.Device).ToArray();
        if (sameVolume.Length == 0)
        {
            return; // The package folder is on another volume: MSBuild copies, which is the documented fallback.
        }

        Assert.Contains(sameVolume, path => FileId(path).Inode == outputId.Inode);
    }

    private static (string Device, string Inode) FileId(string path)
    {
        var start = new ProcessStartInfo("stat", ["-L", "-c", "%d %i", path])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"stat failed on '{path}'.");
        string[] parts = text.Split(' ');
        return (parts[0], parts[1]);
    }
}
