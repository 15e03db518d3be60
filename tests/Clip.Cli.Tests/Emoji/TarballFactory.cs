using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Clip.Cli.Tests.Emoji;

/// <summary>Writes small gzip-compressed tar archives for tests.</summary>
internal static class TarballFactory
{
    public static void Write(string path, IEnumerable<(string Name, byte[] Content)> files, IEnumerable<(string Name, string Target)>? symbolicLinks = null)
    {
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach ((string name, byte[] content) in files)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
            writer.WriteEntry(entry);
        }

        foreach ((string name, string target) in symbolicLinks ?? [])
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });
        }
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
