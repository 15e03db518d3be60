using System.Buffers.Binary;
using System.IO.Compression;

namespace Clip.Data;

/// <summary>
/// Reader of IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero bytes, a
/// data-type code and the number of dimensions), one big-endian 32-bit size per dimension, then the data
/// in row-major order. Gzip-compressed files are recognised by their first two bytes, not by extension.
/// </summary>
internal static class IdxFile
{
    /// <summary>IDX data-type code of unsigned bytes, the only type MNIST-style files use.</summary>
    private const byte UnsignedByteType = 0x08;

    /// <summary>The first two bytes of every gzip stream (RFC 1952).</summary>
    private const byte GzipMagic0 = 0x1F;
    private const byte GzipMagic1 = 0x8B;

    private const int HeaderPrefixBytes = 4;
    private const int DimensionBytes = 4;

    /// <summary>Reads an IDX file of unsigned bytes with <paramref name="expectedDimensions"/> dimensions.</summary>
    /// <returns>The dimension sizes and the data.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header is not that of an IDX file of unsigned bytes with the expected rank, or the data is truncated or followed by extra bytes.</exception>
    public static (int[] Dimensions, byte[] Data) ReadUnsignedBytes(string path, int expectedDimensions)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' was not found.", path);
        }

        using Stream stream = OpenMaybeGzip(path);
        Span<byte> prefix = stackalloc byte[HeaderPrefixBytes];
        ReadExactly(stream, prefix, path, "the 4-byte magic number");
        if (prefix[0] != 0 || prefix[1] != 0)
        {
            throw new InvalidDataException(
                $"{path}: not an IDX file; its magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(prefix):X8} does not start with two zero bytes.");
        }

        if (prefix[2] != UnsignedByteType)
        {
            throw new InvalidDataException(
                $"{path}: IDX data-type code 0x{prefix[2]:X2} is not supported; only unsigned bytes (0x{UnsignedByteType:X2}) are read.");
        }

        if (prefix[3] != expectedDimensions)
        {
            throw new InvalidDataException(
                $"{path}: expected an IDX file with {expectedDimensions} dimension(s) (magic 0x{UnsignedByteType:X6}{expectedDimensions:X2}), but it has {prefix[3]}.");
        }

        var dimensions = new int[expectedDimensions];
        Span<byte> sizeBytes = stackalloc byte[DimensionBytes];
        long total = 1;
        for (int i = 0; i < expectedDimensions; i++)
        {
            ReadExactly(stream, sizeBytes, path, $"the size of dimension {i}");
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes);
            if (size > int.MaxValue)
            {
                throw new InvalidDataException($"{path}: dimension {i} has size {size}, more than {int.MaxValue}.");
            }

            dimensions[i] = (int)size;
            total *= size;
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidDataException($"{path}: the data holds {total} bytes ({string.Join(" x ", dimensions)}), more than one array can hold.");
        }

        var data = new byte[total];
        ReadExactly(stream, data, path, $"{total} data bytes ({string.Join(" x ", dimensions)})");
        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"{path}: extra bytes follow the {total} data bytes that the header ({string.Join(" x ", dimensions)}) announces.");
        }

        return (dimensions, data);
    }

    private static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        int first = file.ReadByte();
        int second = file.ReadByte();
        file.Position = 0;
        if (first == GzipMagic0 && second == GzipMagic1)
        {
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        }

        return file;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{path}: the file ends early: reading {what} found only {read} of {buffer.Length} bytes.");
        }
    }
}
