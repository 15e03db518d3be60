using System.Buffers.Binary;
using System.Text;
using Clip.Cli.Output;
using Xunit;

namespace Clip.Cli.Tests;

public sealed class NpyWriterTests
{
    [Fact]
    public void WriteMatrix_HeaderAndData()
    {
        using var stream = new MemoryStream();

        NpyWriter.WriteMatrix(stream, [1f, 2f, 3f, -4.5f, 0f, 6f], rows: 2, columns: 3);

        byte[] bytes = stream.ToArray();
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        int dataOffset = 10 + headerLength;
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        Assert.Equal(0, dataOffset % 64);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(6 * sizeof(float), bytes.Length - dataOffset);
        Assert.Equal(-4.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataOffset + (3 * sizeof(float)))));
    }

    [Fact]
    public void WriteMatrix_WrongLength_Throws()
    {
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentException>(() => NpyWriter.WriteMatrix(stream, [1f, 2f, 3f], rows: 2, columns: 2));
    }
}
