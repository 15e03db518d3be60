using Clip.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Tests.Imaging;

/// <summary>Batches: order, equality with one-by-one preprocessing, error reporting and skipping.</summary>
public sealed class ImagePreprocessorBatchTests
{
    private const int Resolution = 24;

    private static readonly ImagePreprocessorOptions Options = new() { Resolution = Resolution };

    [Fact]
    public void PreprocessBatch_EqualsSingleImages_InInputOrder()
    {
        ImageSource[] sources = Sources(6);
        var preprocessor = new ImagePreprocessor(Options);

        using var batch = preprocessor.PreprocessBatch(sources);

        Assert.Equal(new long[] { sources.Length, 3, Resolution, Resolution }, batch.shape);
        for (int i = 0; i < sources.Length; i++)
        {
            using var single = preprocessor.Preprocess(sources[i]);
            using var row = batch[i];
            Assert.True(TestImages.SameValues(row, single), $"Batch row {i} differs from the image preprocessed alone.");
        }
    }

    [Fact]
    public void PreprocessBatch_IsIndependentOfThreadCount()
    {
        ImageSource[] sources = Sources(8);

        using var sequential = new ImagePreprocessor(Options with { MaxDegreeOfParallelism = 1 }).PreprocessBatch(sources);
        using var parallel = new ImagePreprocessor(Options).PreprocessBatch(sources);

        Assert.True(TestImages.SameValues(sequential, parallel));
    }

    [Fact]
    public void Preprocess_IsThreadSafe_OnSharedInstance()
    {
        ImageSource[] sources = Sources(8);
        var preprocessor = new ImagePreprocessor(Options);
        float[][] sequential = sources.Select(s => Values(preprocessor, s)).ToArray();

        var concurrent = new float[sources.Length * 4][];
        Parallel.For(0, concurrent.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => concurrent[i] = Values(preprocessor, sources[i % sources.Length]));

        for (int i = 0; i < concurrent.Length; i++)
        {
            Assert.Equal(sequential[i % sources.Length], concurrent[i]);
        }
    }

    [Fact]
    public void PreprocessBatch_NamesFailedItem()
    {
        ImageSource[] sources = [.. Sources(3), ImageSource.FromBytes("not an image"u8.ToArray(), "notes.txt"), .. Sources(2)];
        var preprocessor = new ImagePreprocessor(Options);

        var error = Assert.Throws<ImageBatchException>(() => preprocessor.PreprocessBatch(sources));

        Assert.Equal(3, error.Index);
        Assert.Equal("notes.txt", error.SourceName);
        Assert.Contains("notes.txt", error.Message);
        Assert.IsType<InvalidImageException>(error.InnerException);
    }

    [Fact]
    public void PreprocessBatchSkippingInvalid_ReturnsValidImagesAndReasons()
    {
        ImageSource[] good = Sources(4);
        ImageSource[] sources =
        [
            ImageSource.FromBytes([], "empty.png"), good[0], good[1],
            ImageSource.FromBytes("text"u8.ToArray(), "notes.txt"), good[2], good[3],
        ];
        var preprocessor = new ImagePreprocessor(Options);

        using PreprocessedBatch result = preprocessor.PreprocessBatchSkippingInvalid(sources);
        using var expected = preprocessor.PreprocessBatch(good);

        Assert.Equal(new[] { 1, 2, 4, 5 }, result.Indices);
        Assert.True(TestImages.SameValues(result.Pixels, expected));
        Assert.Equal(
            new[] { (0, "empty.png", InvalidImageReason.Empty), (3, "notes.txt", InvalidImageReason.UnsupportedFormat) },
            result.Skipped.Select(s => (s.Index, s.SourceName, s.Reason)));
    }

    [Fact]
    public void PreprocessBatch_ReturnsEmptyTensor_ForNoSources()
    {
        using var batch = new ImagePreprocessor(Options).PreprocessBatch(Array.Empty<ImageSource>());

        Assert.Equal(new long[] { 0, 3, Resolution, Resolution }, batch.shape);
    }

    private static float[] Values(ImagePreprocessor preprocessor, ImageSource source)
    {
        var values = new float[preprocessor.ValuesPerImage];
        preprocessor.PreprocessInto(source, values);
        return values;
    }

    /// <summary>Distinct PNG images of different sizes and aspect ratios.</summary>
    internal static ImageSource[] Sources(int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            using Image<Rgba32> image = TestImages.Gradient(40 + 7 * i, 30 + 11 * (i % 3), withAlpha: i % 4 == 3);
            return ImageSource.FromBytes(TestImages.Encode(image, new PngEncoder()), $"image{i}.png");
        }).ToArray();
}
