using System.IO.Compression;
using System.Xml.Linq;
using Clip.Build;
using Xunit;

namespace Clip.Packaging.Tests;

/// <summary>Packs the <c>clip</c> .NET tool once into a folder of its own.</summary>
public sealed class ToolPackageFixture : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("clip-tool-package-").FullName;

    public ToolPackageFixture()
    {
        string output = Directory.CreateDirectory(Path.Combine(_workDirectory, "feed")).FullName;
        var environment = new Dictionary<string, string?> { ["CLIP_ARTIFACTS"] = Path.Combine(_workDirectory, "artifacts") };
        DotNetCommand.Run(
            LocalFeedFixture.RepositoryRoot,
            ["pack", "src/Clip.Cli/Clip.Cli.csproj", "-c", "Release", "-o", output, $"-p:Version={Version}"],
            environment);
        PackagePath = Path.Combine(output, $"Clip.Cli.{Version}.nupkg");
    }

    public string Version { get; } = $"0.0.0-tooltest.{Environment.ProcessId}";

    public string PackagePath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the next run uses a new one.
        }
    }
}

/// <summary>The tool package: what <c>dotnet tool install</c> needs, and a native library that loads on Debian 12.</summary>
public sealed class ToolPackageTests(ToolPackageFixture tool) : IClassFixture<ToolPackageFixture>
{
    private const string LibStdCxxVersion = "GLIBCXX_3.4.32";

    [Fact]
    public void ToolPackage_DeclaresClipCommand()
    {
        using ZipArchive package = ZipFile.OpenRead(tool.PackagePath);
        ZipArchiveEntry settings = Assert.Single(package.Entries, entry => entry.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using Stream stream = settings.Open();

        XElement command = XDocument.Load(stream).Descendants("Command").Single();

        Assert.Equal("clip", command.Attribute("Name")?.Value);
    }

    [Fact]
    public void ToolPackage_HasReadmeLicenseAndNotices()
    {
        using ZipArchive package = ZipFile.OpenRead(tool.PackagePath);
        ZipArchiveEntry nuspec = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        XElement metadata = XDocument.Load(stream).Root!.Elements().Single(element => element.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().Single(element => element.Name.LocalName == name).Value;

        Assert.Equal("MIT", Value("license"));
        Assert.Equal("PACKAGE.md", Value("readme"));
        string[] names = package.Entries.Select(entry => entry.FullName).ToArray();
        Assert.Contains("PACKAGE.md", names);
        Assert.Contains("THIRD-PARTY-NOTICES.txt", names);
        Assert.Contains("licenses/LICENSE-openai-clip.txt", names);
    }

    [Fact]
    public void ToolPackage_LinuxNativeLibrary_HasWeakLibStdCxxRequirement()
    {
        using ZipArchive package = ZipFile.OpenRead(tool.PackagePath);
        ZipArchiveEntry library = Assert.Single(package.Entries, entry => entry.FullName.EndsWith("/runtimes/linux-x64/native/libLibTorchSharp.so", StringComparison.Ordinal));
        using var buffer = new MemoryStream();
        using (Stream stream = library.Open())
        {
            stream.CopyTo(buffer);
        }

        byte[] image = buffer.ToArray();
        int flagOffset = Assert.Single(ElfVersionPatcher.FindRequirementFlagOffsets(image, LibStdCxxVersion, library.FullName));

        // Patched at pack time whatever the build machine's libstdc++, so the installed tool loads on Debian 12.
        Assert.Equal(ElfVersionPatcher.VerFlagWeak, image[flagOffset] & ElfVersionPatcher.VerFlagWeak);
    }
}
