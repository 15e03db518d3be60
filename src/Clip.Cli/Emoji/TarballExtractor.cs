using System.Formats.Tar;
using System.IO.Compression;

namespace Clip.Cli.Emoji;

/// <summary>
/// Extracts regular files from a gzip-compressed tar archive (an npm <c>.tgz</c>), refusing any entry whose
/// path would land outside the destination folder.
/// </summary>
public static class TarballExtractor
{
    /// <summary>Extracts the regular files that a filter selects.</summary>
    /// <param name="tarballPath">The <c>.tgz</c> file.</param>
    /// <param name="destination">The folder to extract into; created when missing.</param>
    /// <param name="include">
    /// Selects entries by their path after <paramref name="stripComponents"/> leading folders are removed
    /// (forward slashes); <see langword="null"/> extracts every regular file.
    /// </param>
    /// <param name="stripComponents">How many leading folders to drop from each entry's path (npm tarballs put everything under <c>package/</c>).</param>
    /// <returns>The number of files written.</returns>
    /// <exception cref="InvalidDataException">An entry's path is absolute or climbs out of the destination with <c>..</c>.</exception>
    /// <remarks>
    /// Directories are created as needed. Symbolic links, hard links and device entries are skipped, because
    /// a link could point outside the destination and npm package contents never need one.
    /// </remarks>
    public static int Extract(string tarballPath, string destination, Func<string, bool>? include = null, int stripComponents = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stripComponents);
        string root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);

        using FileStream file = File.OpenRead(tarballPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);

        int written = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
            {
                continue;
            }

            string? relative = StripLeadingFolders(entry.Name, stripComponents);
            if (relative is null || (include is not null && !include(relative)))
            {
                continue;
            }

            string target = ResolveInside(root, relative, entry.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (FileStream output = File.Create(target))
            {
                entry.DataStream?.CopyTo(output);
            }

            written++;
        }

        return written;
    }

    /// <summary>Removes leading folders from a tar path; returns <see langword="null"/> when nothing is left.</summary>
    internal static string? StripLeadingFolders(string entryName, int stripComponents)
    {
        string[] parts = entryName.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (entryName.StartsWith('/') || entryName.StartsWith('\\'))
        {
            // Keep an absolute path visible to the check in ResolveInside instead of silently re-rooting it.
            return entryName;
        }

        return parts.Length <= stripComponents ? null : string.Join('/', parts.Skip(stripComponents));
    }

    /// <summary>Joins a relative entry path to the root and checks that the result stays inside it.</summary>
    internal static string ResolveInside(string root, string relative, string entryName)
    {
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('\\'))
        {
            throw new InvalidDataException($"Archive entry '{entryName}' is rejected: its path is absolute.");
        }

        string target = Path.GetFullPath(Path.Combine(root, relative));
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (!target.StartsWith(rootWithSeparator, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Archive entry '{entryName}' is rejected: its path leads outside the destination folder '{root}'.");
        }

        return target;
    }
}
