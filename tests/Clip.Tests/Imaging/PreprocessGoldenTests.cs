using System.Text.Json;
using Clip.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Tests.Imaging;

/// <summary>
/// Parity with the reference preprocessing (Pillow 9.4, torchvision 0.14) on every image and size of
/// the fixture manifest in <c>CLIP_GOLDEN_PREPROCESS</c>.
/// </summary>
[Trait("Category", "Golden")]
public sealed class PreprocessGoldenTests
{
    /// <summary>Normalised values computed from equal 8-bit pixels must agree to float32 rounding.</summary>
    private const float NormalisedTolerance = 1e-6f;

    /// <summary>JPEG decoders differ in IDCT and chroma upsampling; the mean gap must stay below this.</summary>
    private const double JpegDecoderMeanTolerance = 0.01;

    /// <summary>A floating-point bicubic is close to Pillow's, not equal (normalised units).</summary>
    private const double OtherResamplerMeanTolerance = 0.01;

    private const double OtherResamplerMaxTolerance = 0.3;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        string manifest = Path.Combine(TestPaths.GoldenPreprocess, "manifest.json");
        if (!File.Exists(manifest))
        {
            data.Add("(manifest not found: " + manifest + ")", 0);
            return data;
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(manifest));
        foreach (JsonElement image in document.RootElement.GetProperty("images").EnumerateArray())
        {
            foreach (JsonProperty output in image.GetProperty("outputs").EnumerateObject())
            {
                data.Add(image.GetProperty("name").GetString()!, int.Parse(output.Name, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (data.Count == 0)
        {
            data.Add("(manifest lists no images: " + manifest + ")", 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PillowBicubic_RgbEqualsReference(string name, int size)
    {
        GoldenCase golden = GoldenCase.Load(name, size);
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(size));

        PixelBuffer rgb = preprocessor.PrepareRgb(ImageSource.FromFile(golden.PillowDecodedPath), augmentation: null);

        byte[] expected = golden.ReadRgb();
        int mismatches = 0;
        int maxDifference = 0;
        int firstMismatch = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            int difference = Math.Abs(expected[i] - rgb.Data[i]);
            if (difference != 0)
            {
                mismatches++;
                maxDifference = Math.Max(maxDifference, difference);
                firstMismatch = firstMismatch < 0 ? i : firstMismatch;
            }
        }

        Assert.True(mismatches == 0,
            $"{mismatches} of {expected.Length} samples differ (max {maxDifference}); first at pixel ({firstMismatch / 3 % size}, {firstMismatch / 3 / size}) channel {firstMismatch % 3}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PillowBicubic_TensorEqualsReference(string name, int size)
    {
        GoldenCase golden = GoldenCase.Load(name, size);
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(size));

        using var pixels = preprocessor.Preprocess(golden.PillowDecodedPath);

        Assert.Equal(new long[] { 3, size, size }, pixels.shape);
        float[] actual = pixels.data<float>().ToArray();
        float maxDifference = actual.Zip(golden.ReadPixels(), (a, e) => MathF.Abs(a - e)).Max();
        Assert.True(maxDifference <= NormalisedTolerance, $"max |difference| {maxDifference} exceeds {NormalisedTolerance}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PillowBicubic_ImageSharpJpegDecodeIsClose(string name, int size)
    {
        GoldenCase golden = GoldenCase.Load(name, size);
        if (!golden.IsJpeg)
        {
            return; // Only JPEG sources depend on the decoder; the other cases are covered exactly above.
        }

        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(size));

        using var pixels = preprocessor.Preprocess(golden.SourcePath);

        double mean = MeanAbsoluteDifference(pixels.data<float>().ToArray(), golden.ReadPixels());
        Assert.True(mean < JpegDecoderMeanTolerance, $"mean |difference| {mean} is not below {JpegDecoderMeanTolerance}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImageSharpBicubic_IsCloseToReference(string name, int size)
    {
        GoldenCase golden = GoldenCase.Load(name, size);
        var options = ImagePreprocessorOptions.Reference(size) with { Resampler = ImageResampler.ImageSharpBicubic };
        var preprocessor = new ImagePreprocessor(options);

        using var pixels = preprocessor.Preprocess(golden.PillowDecodedPath);

        float[] actual = pixels.data<float>().ToArray();
        float[] expected = golden.ReadPixels();
        double mean = MeanAbsoluteDifference(actual, expected);
        float max = actual.Zip(expected, (a, e) => MathF.Abs(a - e)).Max();
        Assert.True(mean < OtherResamplerMeanTolerance, $"mean |difference| {mean} is not below {OtherResamplerMeanTolerance}.");
        if (golden.Mode is "RGB" or "L")
        {
            // With alpha, un-premultiplying after the resize divides by alpha: where a resized pixel is
            // almost transparent, one level of difference in the premultiplied colour becomes up to 255
            // levels, so the maximum bounds only sources without alpha.
            Assert.True(max < OtherResamplerMaxTolerance, $"max |difference| {max} is not below {OtherResamplerMaxTolerance}.");
        }
    }

    private static double MeanAbsoluteDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return actual.Zip(expected, (a, e) => (double)Math.Abs(a - e)).Average();
    }

    /// <summary>One image and size of the manifest, with its files.</summary>
    private sealed record GoldenCase(string Folder, string SourcePath, string PillowDecodedPath, string RgbPath, string TensorsPath, string TensorName, bool IsJpeg, string Mode)
    {
        public static GoldenCase Load(string name, int size)
        {
            string folder = TestPaths.GoldenPreprocess;
            string manifest = Path.Combine(folder, "manifest.json");
            Assert.True(File.Exists(manifest), $"Preprocessing fixtures not found: '{manifest}'. Set CLIP_GOLDEN_PREPROCESS to the fixture folder.");
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(manifest));
            JsonElement image = document.RootElement.GetProperty("images").EnumerateArray()
                .Single(i => i.GetProperty("name").GetString() == name);
            JsonElement output = image.GetProperty("outputs").GetProperty(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string source = Path.Combine(folder, image.GetProperty("source").GetString()!);
            bool isJpeg = image.GetProperty("format").GetString() == "JPEG";

            // JPEG decoders differ, so exact checks start from the pixels Pillow decoded.
            string decoded = image.TryGetProperty("decoded_png", out JsonElement png) ? Path.Combine(folder, png.GetString()!) : source;
            return new GoldenCase(
                folder,
                source,
                decoded,
                Path.Combine(folder, output.GetProperty("rgb_png").GetString()!),
                Path.Combine(folder, image.GetProperty("tensors_file").GetString()!),
                output.GetProperty("tensor").GetString()!,
                isJpeg,
                image.GetProperty("mode").GetString()!);
        }

        public byte[] ReadRgb()
        {
            using Image<Rgb24> image = Image.Load<Rgb24>(RgbPath);
            var bytes = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(bytes);
            return bytes;
        }

        public float[] ReadPixels() => GoldenTensorReader.ReadFloat32(TensorsPath, TensorName);
    }
}
