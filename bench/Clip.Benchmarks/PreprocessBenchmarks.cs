using System.Diagnostics;
using Clip.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Benchmarks;

/// <summary>
/// Images per second of <see cref="ImagePreprocessor.PreprocessBatch(IReadOnlyList{ImageSource})"/> from
/// encoded bytes in memory (decode, resize, crop, normalise, one tensor), for camera-sized JPEGs and
/// icon-sized PNGs, to CLIP's 224 pixels and to 64, on 1 and 2 threads.
/// </summary>
internal sealed class PreprocessBenchmarks : IBenchmarkSuite
{
    /// <summary>Images per timed run.</summary>
    private const int BatchSize = 32;

    private const int PhotoWidth = 640;
    private const int PhotoHeight = 480;
    private const int IconSide = 64;

    /// <summary>A common camera and web quality setting.</summary>
    private const int JpegQuality = 90;

    private static readonly int[] Resolutions = [224, 64];
    private static readonly int[] ThreadCounts = [1, 2];

    public string Name => "preprocess";

    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        ImageSource[] photos = Encode(PhotoWidth, PhotoHeight, image => Save(image, new JpegEncoder { Quality = JpegQuality }), "jpg");
        ImageSource[] icons = Encode(IconSide, IconSide, image => Save(image, new PngEncoder()), "png");
        foreach ((string label, ImageSource[] sources) in new[] { ($"{PhotoWidth}x{PhotoHeight} JPEG", photos), ($"{IconSide}x{IconSide} PNG", icons) })
        {
            foreach (int resolution in Resolutions)
            {
                foreach (int threads in ThreadCounts)
                {
                    var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { Resolution = resolution, MaxDegreeOfParallelism = threads });

                    // Process CPU time per image, next to the wall-clock figure: on a shared machine the
                    // wall clock also counts time spent waiting for a core.
                    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    double[] seconds = context.Time(() => preprocessor.PreprocessBatch(sources).Dispose());
                    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                    double cpuMillisecondsPerImage = cpu.TotalMilliseconds / (BatchSize * (context.Repetitions + context.WarmupRepetitions));
                    report(new BenchmarkResult(Name, $"{label} -> {resolution}, {threads} thread(s)", "img", BatchSize, seconds,
                        Note: FormattableString.Invariant($"batch {BatchSize}, Pillow-compatible bicubic, {cpuMillisecondsPerImage:F1} ms CPU/img")));
                }
            }
        }
    }

    /// <summary>Distinct photo-like images: smooth gradients with seeded noise, so that they compress like photographs.</summary>
    private static ImageSource[] Encode(int width, int height, Func<Image<Rgb24>, byte[]> encode, string extension)
    {
        var sources = new ImageSource[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            var random = new Random(i);
            using var image = new Image<Rgb24>(width, height);
            image.ProcessPixelRows(accessor =>
            {
                for (int y = 0; y < height; y++)
                {
                    Span<Rgb24> row = accessor.GetRowSpan(y);
                    for (int x = 0; x < width; x++)
                    {
                        int noise = random.Next(-12, 13);
                        row[x] = new Rgb24(
                            (byte)Math.Clamp(255 * x / width + noise, 0, 255),
                            (byte)Math.Clamp(255 * y / height + noise, 0, 255),
                            (byte)Math.Clamp(128 + 60 * Math.Sin((x + i * 13) * 0.05) + noise, 0, 255));
                    }
                }
            });
            sources[i] = ImageSource.FromBytes(encode(image), $"bench{i}.{extension}");
        }

        return sources;
    }

    private static byte[] Save(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
