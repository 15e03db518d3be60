namespace Clip.Tests.Data;

/// <summary>A fresh folder under the system temp folder, deleted with its contents on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clip-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="contents"/> to a file at <paramref name="relativePath"/>, creating folders, and returns its full path.</summary>
    public string Write(string relativePath, string contents)
    {
        string path = Combine(relativePath);
        File.WriteAllText(path, contents);
        return path;
    }

    /// <summary>Writes bytes to a file at <paramref name="relativePath"/>, creating folders, and returns its full path.</summary>
    public string Write(string relativePath, byte[] contents)
    {
        string path = Combine(relativePath);
        File.WriteAllBytes(path, contents);
        return path;
    }

    public string Combine(string relativePath)
    {
        string path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere keeps the folder; the system temp cleaner removes it later.
        }
    }
}
