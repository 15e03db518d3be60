using System.Buffers.Binary;

namespace Clip.Tests.Imaging;

/// <summary>
/// Writes JPEG variants that ImageSharp 2.1 cannot encode (progressive, CMYK) for images made of flat
/// 8x8 blocks. A flat block has only a DC coefficient, so a DC-only encoder with a quantiser of 1
/// stores every block exactly (to 1/8 of a level) and the decoder must reproduce the block values.
/// </summary>
internal static class BlockJpegWriter
{
    private const int BlockSide = 8;

    /// <summary>DC coefficient of a flat block with the JPEG DCT's scaling: 8 * (value - 128).</summary>
    private const double DcScale = 8;

    private const int LevelShift = 128;

    /// <summary>Huffman code length used for every DC category 0..11, so category s has code s.</summary>
    private const int DcCodeLength = 4;

    private const int DcCategories = 12;

    /// <summary>
    /// Encodes blocks of component values: <paramref name="blocks"/>[by, bx, c] is the value of component c
    /// in the block at (bx, by). Progressive files hold one interleaved DC scan (the AC coefficients,
    /// never sent, are zero); baseline files send an end-of-block after each DC. With
    /// <paramref name="adobeCmyk"/>, four components are marked as untransformed CMYK by an Adobe APP14
    /// segment, where (as Adobe writes them) 255 means no ink.
    /// </summary>
    public static byte[] Encode(double[,,] blocks, bool progressive, bool adobeCmyk = false)
    {
        int blockRows = blocks.GetLength(0);
        int blockColumns = blocks.GetLength(1);
        int components = blocks.GetLength(2);
        using var output = new MemoryStream();
        WriteMarker(output, 0xD8);

        if (adobeCmyk)
        {
            // "Adobe", version 100, two flag words, transform 0 (none).
            WriteSegment(output, 0xEE, [(byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0, 100, 0, 0, 0, 0, 0]);
        }

        var quantisation = new byte[1 + 64];
        Array.Fill(quantisation, (byte)1, 1, 64);
        WriteSegment(output, 0xDB, quantisation);

        var frame = new List<byte> { 8 };
        frame.AddRange(BigEndian((ushort)(blockRows * BlockSide)));
        frame.AddRange(BigEndian((ushort)(blockColumns * BlockSide)));
        frame.Add((byte)components);
        for (int c = 0; c < components; c++)
        {
            frame.AddRange([(byte)(c + 1), 0x11, 0]);
        }

        WriteSegment(output, progressive ? (byte)0xC2 : (byte)0xC0, [.. frame]);

        // DC table 0: twelve symbols of length 4. AC table 0: the end-of-block symbol alone, code "0".
        var dcTable = new byte[1 + 16 + DcCategories];
        dcTable[1 + DcCodeLength - 1] = DcCategories;
        for (int s = 0; s < DcCategories; s++)
        {
            dcTable[1 + 16 + s] = (byte)s;
        }

        WriteSegment(output, 0xC4, dcTable);
        if (!progressive)
        {
            var acTable = new byte[1 + 16 + 1];
            acTable[0] = 0x10;
            acTable[1] = 1;
            WriteSegment(output, 0xC4, acTable);
        }

        var scan = new List<byte> { (byte)components };
        for (int c = 0; c < components; c++)
        {
            scan.AddRange([(byte)(c + 1), 0x00]);
        }

        scan.AddRange([0, progressive ? (byte)0 : (byte)63, 0]);
        WriteSegment(output, 0xDA, [.. scan]);

        var bits = new BitWriter(output);
        var predictors = new int[components];
        for (int by = 0; by < blockRows; by++)
        {
            for (int bx = 0; bx < blockColumns; bx++)
            {
                for (int c = 0; c < components; c++)
                {
                    int dc = (int)Math.Round(DcScale * (blocks[by, bx, c] - LevelShift));
                    int difference = dc - predictors[c];
                    predictors[c] = dc;
                    int category = difference == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(difference));
                    bits.Write(category, DcCodeLength);
                    bits.Write(difference >= 0 ? difference : difference + (1 << category) - 1, category);
                    if (!progressive)
                    {
                        bits.Write(0, 1);
                    }
                }
            }
        }

        bits.Flush();
        WriteMarker(output, 0xD9);
        return output.ToArray();
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static void WriteMarker(Stream output, byte marker)
    {
        output.WriteByte(0xFF);
        output.WriteByte(marker);
    }

    private static void WriteSegment(Stream output, byte marker, byte[] payload)
    {
        WriteMarker(output, marker);
        output.Write(BigEndian((ushort)(payload.Length + 2)));
        output.Write(payload);
    }

    /// <summary>Entropy-coded bits, most significant first, with a zero stuffed after every 0xFF byte.</summary>
    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        /// <summary>Pads the last byte with one bits, as the JPEG standard requires.</summary>
        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
