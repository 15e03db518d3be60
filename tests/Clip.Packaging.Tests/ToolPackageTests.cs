using System.IO.Compression;
using System.Xml.Linq;
using Clip.Build;
using Clip.Tests.TestModels;
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
        FeedDirectory = output;
        PackagePath = Path.Combine(output, $"Clip.Cli.{Version}.nupkg");
    }

    public string FeedDirectory { get; }

    /// <summary>A folder for one test's files, removed with the fixture.</summary>
    public string CreateScratchDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(_workDirectory, name)).FullName;

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
            // A leftover temporary folder is harmless, because the next run uses a new one.
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
    public void InstalledTool_ClassifiesImage_WithSavedModel()
    {
        string scratch = tool.CreateScratchDirectory("installed");
        string toolPath = Path.Combine(scratch, "tools");
        DotNetCommand.Run(scratch, ["tool", "install", "Clip.Cli", "--tool-path", toolPath, "--add-source", tool.FeedDirectory, "--version", tool.Version]);

        // A model that distinguishes colours and a red image it has not seen. Loading the model loads LibTorch.
        string modelPath = Path.Combine(scratch, "color-clip");
        ColorClipModel.Shared.Model.SavePretrained(modelPath);
        string imagePath = Path.Combine(scratch, "red.png");
        File.WriteAllBytes(imagePath, ColorClipModel.CreateImage(ColorClipModel.Colors[0].Color, offset: 9));
        string clip = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "clip.exe" : "clip");
        string[] labels = ColorClipModel.Colors.Select(color => color.Name).ToArray();

        string output = DotNetCommand.Run(
            scratch,
            ["zero-shot", imagePath, "--model", modelPath, "--template", ColorClipModel.Prompt("{}"), "--top", "1", "--json", "--labels", .. labels],
            program: clip);

        Assert.Contains($"\"{labels[0]}\"", output);
        Assert.DoesNotContain($"\"{labels[1]}\"", output);
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
    public void ToolPackage_LinuxLibrary_HasWeakRequirement()
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
