using Clip.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace Clip.Tests.Imaging;

/// <summary>Every input format and shape the preprocessor must accept, each compared with the lossless original.</summary>
public sealed class ImagePreprocessorFormatTests
{
    private const int Resolution = 32;
    private const int Width = 64;
    private const int Height = 48;

    /// <summary>Lossless encodings reproduce the original pixels exactly.</summary>
    private const double LosslessTolerance = 1e-6;

    /// <summary>Mean gap (normalised units, about 7.5 per unit) allowed for lossy or palette encodings.</summary>
    private const double LossyTolerance = 0.1;

    /// <summary>Flat blocks survive a DC-only JPEG up to colour conversion rounding.</summary>
    private const double FlatBlockTolerance = 0.02;

    private static readonly Dictionary<string, (Func<byte[]> Encode, bool Grey, double Tolerance)> Formats = new()
    {
        ["jpeg-baseline"] = (() => EncodeRgb(new JpegEncoder { Quality = 95, ColorType = JpegColorType.YCbCrRatio444 }), false, LossyTolerance),
        ["jpeg-420"] = (() => EncodeRgb(new JpegEncoder { Quality = 90 }), false, LossyTolerance),
        ["jpeg-grey"] = (() => EncodeGrey(new JpegEncoder { Quality = 95, ColorType = JpegColorType.Luminance }), true, LossyTolerance),
        ["png-rgb8"] = (() => EncodeRgb(new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 }), false, LosslessTolerance),
        ["png-rgb16"] = (() => EncodeRgb(new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 }), false, LosslessTolerance),
        ["png-grey8"] = (() => EncodeGrey(new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 }), true, LosslessTolerance),
        ["png-grey16"] = (() => EncodeGrey(new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 }), true, LosslessTolerance),
        ["png-palette"] = (() => EncodeRgb(new PngEncoder { ColorType = PngColorType.Palette }), false, LossyTolerance),
        ["png-rgba-opaque"] = (() => EncodeRgb(new PngEncoder { ColorType = PngColorType.RgbWithAlpha }), false, LosslessTolerance),
        ["png-grey-alpha-opaque"] = (() => EncodeGrey(new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha }), true, LosslessTolerance),
        ["gif"] = (() => EncodeRgb(new GifEncoder()), false, LossyTolerance),
        ["bmp24"] = (() => EncodeRgb(new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 }), false, LosslessTolerance),
        ["webp-lossless"] = (() => EncodeRgb(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }), false, LosslessTolerance),
        ["webp-lossy"] = (() => EncodeRgb(new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 95 }), false, LossyTolerance),
        ["tiff"] = (() => EncodeRgb(new TiffEncoder()), false, LosslessTolerance),
    };

    public static TheoryData<string> FormatNames() => new(Formats.Keys);

    [Theory]
    [MemberData(nameof(FormatNames))]
    public void Preprocess_MatchesOriginal_ForFormat(string format)
    {
        (Func<byte[]> encode, bool grey, double tolerance) = Formats[format];
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });
        using Image<Rgba32> original = grey ? GreyOriginal() : TestImages.Gradient(Width, Height);

        using var actual = preprocessor.Preprocess(encode(), format);
        using var expected = preprocessor.Preprocess(original);

        Assert.Equal(new long[] { 3, Resolution, Resolution }, actual.shape);
        double mean = (actual - expected).abs().mean().item<float>();
        Assert.True(mean <= tolerance, $"{format}: mean |difference| {mean} exceeds {tolerance}.");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Preprocess_DecodesHandWrittenJpeg(bool progressive, bool cmyk)
    {
        // ImageSharp 2.1 encodes neither progressive nor CMYK JPEGs, so these come from a small writer
        // that stores flat 8x8 blocks exactly.
        const int BlockRows = 6;
        const int BlockColumns = 8;
        using var original = new Image<Rgba32>(BlockColumns * 8, BlockRows * 8);
        var blocks = new double[BlockRows, BlockColumns, cmyk ? 4 : 3];
        for (int by = 0; by < BlockRows; by++)
        {
            for (int bx = 0; bx < BlockColumns; bx++)
            {
                var colour = new Rgba32((byte)(30 + 28 * bx), (byte)(40 + 35 * by), (byte)(200 - 20 * bx));
                for (int y = by * 8; y < by * 8 + 8; y++)
                {
                    for (int x = bx * 8; x < bx * 8 + 8; x++)
                    {
                        original[x, y] = colour;
                    }
                }

                double[] components = cmyk ? [colour.R, colour.G, colour.B, 255] : ToYCbCr(colour);
                for (int c = 0; c < components.Length; c++)
                {
                    blocks[by, bx, c] = components[c];
                }
            }
        }

        byte[] jpeg = BlockJpegWriter.Encode(blocks, progressive, adobeCmyk: cmyk);
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

        using var actual = preprocessor.Preprocess(jpeg, progressive ? "progressive.jpg" : "cmyk.jpg");
        using var expected = preprocessor.Preprocess(original);

        double mean = (actual - expected).abs().mean().item<float>();
        Assert.True(mean <= FlatBlockTolerance, $"mean |difference| {mean} exceeds {FlatBlockTolerance}.");
    }

    [Fact]
    public void Preprocess_UsesFirstFrame_ForAnimatedGif()
    {
        using Image<Rgba32> animation = TestImages.Gradient(Width, Height);
        using Image<Rgba32> second = TestImages.Gradient(Width, Height);
        second.Mutate(x => x.Invert());
        animation.Frames.AddFrame(second.Frames.RootFrame);
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

        using var fromGif = preprocessor.Preprocess(TestImages.Encode(animation, new GifEncoder()), "animation.gif");
        using var firstFrame = preprocessor.Preprocess(TestImages.Gradient(Width, Height));

        double mean = (fromGif - firstFrame).abs().mean().item<float>();
        Assert.True(mean <= LossyTolerance, $"mean |difference| {mean} to the first frame exceeds {LossyTolerance}.");
    }

    [Fact]
    public void Preprocess_ScalesSixteenBitToEightBit_WithoutClipping()
    {
        // 0x8080 / 65535 is 128 / 255 exactly; a clipping conversion would give 255.
        const ushort MidGrey = 0x8080;
        using var image = new Image<L16>(8, 8, new L16(MidGrey));
        byte[] png = TestImages.Encode(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = 4 });

        using Image<Rgb24> rgb = preprocessor.PreprocessToImage(ImageSource.FromBytes(png));

        Assert.Equal(new Rgb24(128, 128, 128), rgb[0, 0]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 1000)]
    [InlineData(1000, 1)]
    [InlineData(3, 2)]
    public void Preprocess_ReturnsSquare_ForExtremeShapes(int width, int height)
    {
        using Image<Rgba32> image = TestImages.Gradient(width, height);
        byte[] png = TestImages.Encode(image, new PngEncoder());
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

        using var pixels = preprocessor.Preprocess(png, $"{width}x{height}.png");

        Assert.Equal(new long[] { 3, Resolution, Resolution }, pixels.shape);
        Assert.True(pixels.isfinite().all().item<bool>());
    }

    [Fact]
    public void Preprocess_ReplicatesSinglePixel_ForOneByOne()
    {
        using var image = new Image<Rgba32>(1, 1, new Rgba32(10, 200, 30));
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = 4 });

        using Image<Rgb24> rgb = preprocessor.PreprocessToImage(ImageSource.FromBytes(TestImages.Encode(image, new PngEncoder())));

        Assert.Equal(new Rgb24(10, 200, 30), rgb[3, 3]);
    }

    [Theory]
    [InlineData(ExifOrientationMode.RightTop, 90)]
    [InlineData(ExifOrientationMode.BottomRight, 180)]
    [InlineData(ExifOrientationMode.LeftBottom, 270)]
    public void Preprocess_AppliesExifOrientation_ByDefault(ushort orientation, int clockwiseDegrees)
    {
        byte[] jpeg = RotatedJpeg(orientation, out Image<Rgba32> decoded);
        using (decoded)
        {
            decoded.Mutate(x => x.Rotate(clockwiseDegrees));
            var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

            using var fromFile = preprocessor.Preprocess(jpeg, "rotated.jpg");
            using var upright = preprocessor.Preprocess(decoded);

            Assert.Equal(0f, (fromFile - upright).abs().max().item<float>());
        }
    }

    [Fact]
    public void Preprocess_IgnoresExifOrientation_WhenTurnedOff()
    {
        byte[] jpeg = RotatedJpeg(ExifOrientationMode.RightTop, out Image<Rgba32> decoded);
        using (decoded)
        {
            var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(Resolution));

            using var fromFile = preprocessor.Preprocess(jpeg, "rotated.jpg");
            using var stored = preprocessor.Preprocess(decoded);

            Assert.Equal(0f, (fromFile - stored).abs().max().item<float>());
        }
    }

    [Theory]
    [InlineData(AlphaPolicy.Reference, 0)]
    [InlineData(AlphaPolicy.CompositeOverBackground, 255)]
    public void Preprocess_FillsTransparentAreas_PerAlphaPolicy(AlphaPolicy policy, byte expected)
    {
        // Fully transparent red; the resize (8 -> 4) makes the reference premultiply it to black.
        using var image = new Image<Rgba32>(8, 8, new Rgba32(255, 0, 0, 0));
        byte[] png = TestImages.Encode(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = 4, AlphaPolicy = policy });

        using Image<Rgb24> rgb = preprocessor.PreprocessToImage(ImageSource.FromBytes(png));

        Assert.Equal(new Rgb24(expected, expected, expected), rgb[1, 1]);
    }

    [Fact]
    public void Preprocess_ReadsStreamsWithoutSeeking()
    {
        byte[] png = TestImages.Encode(TestImages.Gradient(Width, Height), new PngEncoder());
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

        using var fromStream = preprocessor.Preprocess(new ForwardOnlyStream(png), "pipe");
        using var fromBytes = preprocessor.Preprocess(png);

        Assert.Equal(0f, (fromStream - fromBytes).abs().max().item<float>());
    }

    [Fact]
    public void Preprocess_ReadsFiles()
    {
        string path = Path.Combine(Path.GetTempPath(), $"clip-preprocess-{Guid.NewGuid():N}.png");
        byte[] png = TestImages.Encode(TestImages.Gradient(Width, Height), new PngEncoder());
        File.WriteAllBytes(path, png);
        try
        {
            var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = Resolution });

            using var fromFile = preprocessor.Preprocess(path);
            using var fromBytes = preprocessor.Preprocess(png);

            Assert.Equal(0f, (fromFile - fromBytes).abs().max().item<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] RotatedJpeg(ushort orientation, out Image<Rgba32> decoded)
    {
        using Image<Rgba32> image = TestImages.Gradient(Width, Height);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        byte[] jpeg = TestImages.Encode(image, new JpegEncoder { Quality = 95 });

        // The same pixels as the file stores them, without the tag.
        decoded = Image.Load<Rgba32>(jpeg);
        decoded.Metadata.ExifProfile = null;
        return jpeg;
    }

    private static Image<Rgba32> GreyOriginal()
    {
        Image<Rgba32> image = TestImages.Gradient(Width, Height);
        image.Mutate(x => x.Grayscale());
        using Image<L8> grey = image.CloneAs<L8>();
        image.Dispose();
        return grey.CloneAs<Rgba32>();
    }

    private static byte[] EncodeRgb(IImageEncoder encoder)
    {
        using Image<Rgba32> image = TestImages.Gradient(Width, Height);
        return TestImages.Encode(image, encoder);
    }

    private static byte[] EncodeGrey(IImageEncoder encoder)
    {
        using Image<Rgba32> image = GreyOriginal();
        using Image<L8> grey = image.CloneAs<L8>();
        return TestImages.Encode(grey, encoder);
    }

    /// <summary>A stream that cannot seek, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>JFIF's full-range BT.601 conversion.</summary>
    private static double[] ToYCbCr(Rgba32 colour) =>
    [
        0.299 * colour.R + 0.587 * colour.G + 0.114 * colour.B,
        128 - 0.168736 * colour.R - 0.331264 * colour.G + 0.5 * colour.B,
        128 + 0.5 * colour.R - 0.418688 * colour.G - 0.081312 * colour.B,
    ];
}
