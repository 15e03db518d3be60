using System.Reflection;
using Clip.Build;
using Xunit;

namespace Clip.Tests.Build;

public sealed class ElfVersionPatcherTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string _folder = Directory.CreateTempSubdirectory("clip-elf-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string PackageCacheLibrary()
    {
        string root = typeof(ElfVersionPatcherTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private string CopyOfPackageLibrary()
    {
        string copy = Path.Combine(_folder, "libLibTorchSharp.so");
        File.Copy(PackageCacheLibrary(), copy);
        return copy;
    }

    [Fact]
    public void Patch_ChangesOnlyTheFlagBytes()
    {
        string copy = CopyOfPackageLibrary();
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersionPatcher.Patch(copy, Version);

        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(ElfPatchResult.Patched, result);
        Assert.Equal(before.Length, after.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        int flagOffset = Assert.Single(ElfVersionPatcher.FindRequirementFlagOffsets(before, Version, copy));
        Assert.Equal(new[] { flagOffset }, changed);
        Assert.Equal(ElfVersionPatcher.VerFlagWeak, after[flagOffset] | after[flagOffset + 1] << 8);
    }

    [Fact]
    public void Patch_IsIdempotent()
    {
        string copy = CopyOfPackageLibrary();
        ElfVersionPatcher.Patch(copy, Version);
        byte[] once = File.ReadAllBytes(copy);
        DateTime writtenOnce = File.GetLastWriteTimeUtc(copy);

        ElfPatchResult second = ElfVersionPatcher.Patch(copy, Version);

        Assert.Equal(ElfPatchResult.AlreadyWeak, second);
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(writtenOnce, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void Patch_ReportsNotRequired_WhenVersionIsAbsent()
    {
        string copy = CopyOfPackageLibrary();
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersionPatcher.Patch(copy, "GLIBCXX_9.9.99");

        Assert.Equal(ElfPatchResult.NotRequired, result);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Patch_RejectsFileThatIsNotElf()
    {
        string text = Path.Combine(_folder, "notes.so");
        File.WriteAllText(text, "this is plain text, long enough to hold an ELF header if it were one ........");

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(text, Version));

        Assert.Contains("not an ELF file", error.Message);
        Assert.Contains("notes.so", error.Message);
    }

    [Fact]
    public void Patch_Rejects32BitElf()
    {
        string copy = CopyOfPackageLibrary();
        byte[] bytes = File.ReadAllBytes(copy);
        bytes[4] = 1;
        File.WriteAllBytes(copy, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(copy, Version));

        Assert.Contains("64-bit little-endian", error.Message);
    }

    [Fact]
    public void Patch_RejectsBigEndianElf()
    {
        string copy = CopyOfPackageLibrary();
        byte[] bytes = File.ReadAllBytes(copy);
        bytes[5] = 2;
        File.WriteAllBytes(copy, bytes);

        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(copy, Version));
    }

    [Fact]
    public void Patch_RejectsTruncatedElf()
    {
        string copy = CopyOfPackageLibrary();
        byte[] bytes = File.ReadAllBytes(copy);
        File.WriteAllBytes(copy, bytes.AsSpan(0, 4096).ToArray());

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(copy, Version));

        Assert.Contains("outside the file", error.Message);
    }

    [Fact]
    public void HostCheck_FindsVersionsTheHostLibraryDefines()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // libstdc++ version checks apply to Linux only.
        }

        Assert.True(ElfVersionPatcher.HostLibStdCxxProvides("GLIBCXX_3.4.19"));
        Assert.False(ElfVersionPatcher.HostLibStdCxxProvides("GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Build_PatchesOutputCopyAndLeavesPackageCacheUnchanged()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The native-library step runs on Linux only.
        }

        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        byte[] outputBytes = File.ReadAllBytes(output);
        byte[] cacheBytes = File.ReadAllBytes(PackageCacheLibrary());
        int flagOffset = Assert.Single(ElfVersionPatcher.FindRequirementFlagOffsets(cacheBytes, Version, "cache"));

        Assert.Equal(0, cacheBytes[flagOffset] & ElfVersionPatcher.VerFlagWeak);
        if (ElfVersionPatcher.HostLibStdCxxProvides(Version))
        {
            Assert.Equal(cacheBytes, outputBytes);
        }
        else
        {
            Assert.Equal(ElfVersionPatcher.VerFlagWeak, outputBytes[flagOffset] & ElfVersionPatcher.VerFlagWeak);
        }
    }
}
