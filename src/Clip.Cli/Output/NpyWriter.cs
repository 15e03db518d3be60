using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Clip.Cli.Output;

/// <summary>Writes float32 matrices in NumPy's <c>.npy</c> format (version 1.0, little-endian, C order).</summary>
public static class NpyWriter
{
    /// <summary>The magic string that opens every <c>.npy</c> file.</summary>
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const byte MajorVersion = 1;
    private const byte MinorVersion = 0;

    /// <summary>The header (magic, version, length and dictionary) is padded so the data starts on this boundary.</summary>
    private const int HeaderAlignment = 64;

    /// <summary>Writes a [rows, columns] float32 matrix.</summary>
    /// <param name="stream">The destination; left open.</param>
    /// <param name="values">The values in row-major order; its length must be <paramref name="rows"/> × <paramref name="columns"/>.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <exception cref="ArgumentException">The length of <paramref name="values"/> does not equal rows × columns.</exception>
    public static void WriteMatrix(Stream stream, ReadOnlySpan<float> values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"The matrix has {values.Length} values, but {rows} rows × {columns} columns need {(long)rows * columns}.", nameof(values));
        }

        byte[] header = BuildHeader(string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}"));
        stream.Write(header);

        Span<byte> buffer = stackalloc byte[sizeof(float)];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            stream.Write(buffer);
        }
    }

    /// <summary>Builds the magic, version, header length and the dictionary padded with spaces and ended by a newline.</summary>
    private static byte[] BuildHeader(string dictionary)
    {
        const int PreambleLength = 10; // 6 magic bytes, 2 version bytes, 2 length bytes (version 1.0)
        int unpadded = PreambleLength + dictionary.Length + 1;
        int padding = (HeaderAlignment - (unpadded % HeaderAlignment)) % HeaderAlignment;
        string text = dictionary + new string(' ', padding) + "\n";

        byte[] header = new byte[PreambleLength + text.Length];
        Magic.CopyTo(header, 0);
        header[6] = MajorVersion;
        header[7] = MinorVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8, 2), checked((ushort)text.Length));
        Encoding.ASCII.GetBytes(text, header.AsSpan(PreambleLength));
        return header;
    }
}
