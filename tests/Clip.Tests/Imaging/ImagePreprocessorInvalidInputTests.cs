using System.Buffers.Binary;
using System.Diagnostics;
using Clip.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Tests.Imaging;

/// <summary>Bad inputs fail fast with an <see cref="InvalidImageException"/> that names the source and the reason.</summary>
public sealed class ImagePreprocessorInvalidInputTests
{
    private const int BombSide = 20000;

    /// <summary>Rejecting a bomb from its header takes far less than decoding it would.</summary>
    private static readonly TimeSpan BombTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>Managed bytes a rejected bomb may allocate: file buffers and messages, not 20000 x 20000 pixels.</summary>
    private const long BombAllocationLimit = 16L * 1024 * 1024;

    private readonly ImagePreprocessor _preprocessor = new(new ImagePreprocessorOptions { Resolution = 16 });

    [Fact]
    public void Preprocess_RejectsEmptyData()
    {
        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(Array.Empty<byte>(), "empty.png"));

        Assert.Equal(InvalidImageReason.Empty, error.Reason);
        Assert.Contains("empty.png", error.Message);
    }

    [Fact]
    public void Preprocess_RejectsMissingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.png");

        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(path));

        Assert.Equal(InvalidImageReason.NotFound, error.Reason);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Preprocess_RejectsText()
    {
        byte[] text = "name,label\ncat,1\n"u8.ToArray();

        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(text, "labels.csv"));

        Assert.Equal(InvalidImageReason.UnsupportedFormat, error.Reason);
        Assert.Contains("labels.csv", error.Message);
    }

    [Fact]
    public void Preprocess_RejectsUnsupportedFormat()
    {
        // The start of an ISO-BMFF HEIC file: a 'ftyp' box with brand 'heic'. ImageSharp 2.1 has no decoder.
        byte[] heic = [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0,
            (byte)'m', (byte)'i', (byte)'f', (byte)'1', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 8, (byte)'m', (byte)'d', (byte)'a', (byte)'t'];

        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(heic, "photo.heic"));

        Assert.Equal(InvalidImageReason.UnsupportedFormat, error.Reason);
        Assert.Contains("photo.heic", error.Message);
    }

    [Theory]
    [InlineData("png", 0.5)]
    [InlineData("png", 0.98)]
    [InlineData("jpeg", 0.5)]
    [InlineData("jpeg", 0.98)]
    public void Preprocess_RejectsTruncatedFile(string format, double keptFraction)
    {
        using Image<Rgba32> image = TestImages.Gradient(64, 48);
        byte[] encoded = format == "png" ? TestImages.Encode(image, new PngEncoder()) : TestImages.Encode(image, new JpegEncoder());
        byte[] truncated = encoded[..(int)(encoded.Length * keptFraction)];

        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(truncated, $"cut.{format}"));

        Assert.Equal(InvalidImageReason.Corrupt, error.Reason);
        Assert.Contains($"cut.{format}", error.Message);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    public void Preprocess_RejectsDecompressionBomb_FromHeader(string format)
    {
        byte[] bomb = format == "png" ? PngDeclaring(BombSide, BombSide) : JpegDeclaring(BombSide, BombSide);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<InvalidImageException>(() => _preprocessor.Preprocess(bomb, $"bomb.{format}"));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(InvalidImageReason.TooLarge, error.Reason);
        Assert.Contains($"bomb.{format}", error.Message);
        Assert.Contains("20000x20000", error.Message);
        Assert.True(clock.Elapsed < BombTimeLimit, $"Rejecting the bomb took {clock.Elapsed}.");
        Assert.True(allocated < BombAllocationLimit, $"Rejecting the bomb allocated {allocated} bytes.");
        Assert.True(bomb.Length < 4096, $"The bomb file has {bomb.Length} bytes.");
    }

    [Fact]
    public void Preprocess_HonoursMaxPixelCount()
    {
        using Image<Rgba32> image = TestImages.Gradient(64, 48);
        byte[] png = TestImages.Encode(image, new PngEncoder());
        var strict = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = 16, MaxPixelCount = 64 * 48 - 1 });

        var error = Assert.Throws<InvalidImageException>(() => strict.Preprocess(png, "photo.png"));

        Assert.Equal(InvalidImageReason.TooLarge, error.Reason);
    }

    [Fact]
    public void Preprocess_RejectsOversizedDecodedImage()
    {
        using var image = new Image<Rgba32>(64, 48);
        var strict = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = 16, MaxPixelCount = 100 });

        var error = Assert.Throws<InvalidImageException>(() => strict.Preprocess(image));

        Assert.Equal(InvalidImageReason.TooLarge, error.Reason);
    }

    /// <summary>A valid 1x1 PNG whose IHDR chunk (with a correct CRC) declares another size.</summary>
    internal static byte[] PngDeclaring(int width, int height)
    {
        using var image = new Image<Rgba32>(1, 1);
        byte[] png = TestImages.Encode(image, new PngEncoder { ColorType = PngColorType.Rgb });

        // Signature (8), IHDR length (4), "IHDR" (4), then width and height, then 5 bytes, then the CRC.
        const int TypeOffset = 12;
        const int WidthOffset = 16;
        const int IhdrDataLength = 13;
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(WidthOffset), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(WidthOffset + 4), height);
        uint crc = Crc32(png.AsSpan(TypeOffset, 4 + IhdrDataLength));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(TypeOffset + 4 + IhdrDataLength), crc);
        return png;
    }

    /// <summary>A small baseline JPEG whose start-of-frame marker declares another size.</summary>
    internal static byte[] JpegDeclaring(int width, int height)
    {
        using var image = new Image<Rgba32>(8, 8);
        byte[] jpeg = TestImages.Encode(image, new JpegEncoder());
        for (int i = 2; i + 9 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0)
            {
                // SOF0: marker (2), length (2), precision (1), height (2), width (2).
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 7), (ushort)width);
                return jpeg;
            }
        }

        throw new InvalidOperationException("The encoded JPEG has no SOF0 marker.");
    }

    /// <summary>CRC-32 (ISO-HDLC), as PNG chunks use it.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
