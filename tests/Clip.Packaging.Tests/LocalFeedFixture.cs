using System.IO.Compression;
using System.Reflection;
using Xunit;

namespace Clip.Packaging.Tests;

/// <summary>
/// Packs the repository's packages once per test run into a local folder feed, with a version of their
/// own, so that no package cache can hold a stale copy of the same version.
/// </summary>
public sealed class LocalFeedFixture : IDisposable
{
    /// <summary>The package ids packed into the feed, with their project files.</summary>
    public static readonly IReadOnlyDictionary<string, string> PackedProjects = new Dictionary<string, string>
    {
        ["Clip"] = "src/Clip/Clip.csproj",
        ["Clip.Extensions.AI"] = "src/Clip.Extensions.AI/Clip.Extensions.AI.csproj",
    };

    private readonly string _workDirectory;

    /// <summary>Packs every project of <see cref="PackedProjects"/> into <see cref="FeedDirectory"/>.</summary>
    public LocalFeedFixture()
    {
        _workDirectory = Directory.CreateTempSubdirectory("clip-packaging-").FullName;
        FeedDirectory = Directory.CreateDirectory(Path.Combine(_workDirectory, "feed")).FullName;

        // A prerelease version unique to this run: NuGet never reuses a cached copy of another build.
        Version = $"0.0.0-packagetest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

        // Build outputs go to a folder of their own, so packing never touches the checkout's bin/obj
        // folders that the test run itself is using.
        var environment = new Dictionary<string, string?>
        {
            ["CLIP_ARTIFACTS"] = Path.Combine(_workDirectory, "artifacts"),
        };
        foreach (string project in PackedProjects.Values)
        {
            PackOutput += DotNetCommand.Run(
                RepositoryRoot,
                ["pack", project, "-c", "Release", "-o", FeedDirectory, $"-p:Version={Version}"],
                environment);
        }
    }

    /// <summary>The repository root: the nearest folder above the test binaries that contains Clip.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The NuGet global packages folder of the test build, where the packages it restored live.</summary>
    public static string NuGetPackageRoot { get; } = ReadBuildMetadata("NuGetPackageRoot");

    /// <summary>The TorchSharp-cpu version the repository tests with.</summary>
    public static string TorchSharpVersion { get; } = ReadBuildMetadata("TorchSharpVersion");

    /// <summary>The folder that contains the packed .nupkg and .snupkg files.</summary>
    public string FeedDirectory { get; }

    /// <summary>The version every package of this run was packed with.</summary>
    public string Version { get; }

    /// <summary>The combined output of the pack commands, for failure messages.</summary>
    public string PackOutput { get; } = string.Empty;

    /// <summary>A folder for one test's files, removed with the fixture.</summary>
    public string CreateScratchDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(_workDirectory, name)).FullName;

    /// <summary>Opens the package (or with <paramref name="symbols"/> the symbol package) of <paramref name="id"/>.</summary>
    public ZipArchive OpenPackage(string id, bool symbols = false)
    {
        string extension = symbols ? "snupkg" : "nupkg";
        return ZipFile.OpenRead(Path.Combine(FeedDirectory, $"{id}.{Version}.{extension}"));
    }

    /// <inheritdoc />
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

    private static string ReadBuildMetadata(string key) =>
        typeof(LocalFeedFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == key).Value
        ?? throw new InvalidOperationException($"The build did not record '{key}'.");

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Clip.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName
            ?? throw new InvalidOperationException($"No Clip.sln above '{AppContext.BaseDirectory}'; run the tests from a checkout of the repository.");
    }
}

/// <summary>The tests that share one packed feed; they run one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeedFixture>
{
    /// <summary>The collection name to put in <c>[Collection(...)]</c>.</summary>
    public const string Name = "Local package feed";
}
