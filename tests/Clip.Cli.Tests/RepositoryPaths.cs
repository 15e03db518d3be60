namespace Clip.Cli.Tests;

/// <summary>Locations inside the repository checkout the tests run from.</summary>
internal static class RepositoryPaths
{
    /// <summary>The nearest folder above the test binaries that contains Clip.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The npm tarball cache shared by test runs (ignored by git), so the real packages are downloaded once
    /// per checkout; <c>CLIP_NPM_CACHE</c> overrides it.
    /// </summary>
    public static string NpmCache =>
        Environment.GetEnvironmentVariable("CLIP_NPM_CACHE") is { Length: > 0 } path ? Path.GetFullPath(path) : Path.Combine(Root, ".cache", "npm");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Clip.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Clip.sln above '{AppContext.BaseDirectory}'.");
    }
}
