using System.Buffers.Binary;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace Clip.Imaging;

/// <summary>
/// Detects PNG and JPEG files that end early. ImageSharp 2.1 decodes such files without an error and
/// fills the missing rows; Pillow raises "image file is truncated", and so do we.
/// </summary>
internal static class TruncationCheck
{
    private const int PngSignatureLength = 8;
    private const int PngChunkHeaderLength = 8;
    private const int PngCrcLength = 4;
    private const uint PngEndChunk = 0x49454E44; // "IEND"

    private const byte JpegMarkerPrefix = 0xFF;
    private const byte JpegStartOfScan = 0xDA;
    private const byte JpegEndOfImage = 0xD9;
    private const int ScanBufferLength = 1 << 16;

    /// <summary>
    /// Returns a description of what is missing, or null when the file is complete (or of a format this
    /// check does not cover). Reads <paramref name="stream"/> from <paramref name="start"/>.
    /// </summary>
    public static string? FindTruncation(Stream stream, long start, IImageFormat? format)
    {
        stream.Position = start;
        return format switch
        {
            PngFormat => HasPngEnd(stream) ? null : "the PNG ends before its IEND chunk.",
            JpegFormat => HasJpegEnd(stream) ? null : "the JPEG has no end-of-image marker after its last scan.",
            _ => null,
        };
    }

    /// <summary>Walks the chunk list (lengths only, no data read) and reports whether IEND is reached within the stream.</summary>
    private static bool HasPngEnd(Stream stream)
    {
        Span<byte> header = stackalloc byte[PngChunkHeaderLength];
        long position = stream.Position + PngSignatureLength;
        while (position + PngChunkHeaderLength <= stream.Length)
        {
            stream.Position = position;
            stream.ReadExactly(header);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
            long end = position + PngChunkHeaderLength + length + PngCrcLength;
            if (end > stream.Length)
            {
                return false;
            }

            if (type == PngEndChunk)
            {
                return true;
            }

            position = end;
        }

        return false;
    }

    /// <summary>
    /// Scans for an end-of-image marker after the last start-of-scan marker. Entropy-coded data escapes
    /// every 0xFF byte, so the pair 0xFF 0xD9 occurs there only as the real marker.
    /// </summary>
    private static bool HasJpegEnd(Stream stream)
    {
        var buffer = new byte[ScanBufferLength];
        bool previousWasPrefix = false;
        bool endAfterLastScan = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (previousWasPrefix)
                {
                    if (b == JpegStartOfScan)
                    {
                        endAfterLastScan = false;
                    }
                    else if (b == JpegEndOfImage)
                    {
                        endAfterLastScan = true;
                    }
                }

                previousWasPrefix = b == JpegMarkerPrefix;
            }
        }

        return endAfterLastScan;
    }
}
