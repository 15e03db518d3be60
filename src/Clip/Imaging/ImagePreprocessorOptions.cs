using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Imaging;

/// <summary>
/// Settings of <see cref="ImagePreprocessor"/>. The defaults reproduce the preprocessing of OpenAI's
/// pretrained CLIP models at 224 pixels, except that EXIF orientation is applied (see
/// <see cref="ApplyExifOrientation"/>).
/// </summary>
public sealed record ImagePreprocessorOptions
{
    /// <summary>CLIP's per-channel mean of RGB values in [0, 1] (OpenAI's clip.py).</summary>
    public static readonly IReadOnlyList<float> ClipMean = Array.AsReadOnly(new[] { 0.48145466f, 0.4578275f, 0.40821073f });

    /// <summary>CLIP's per-channel standard deviation of RGB values in [0, 1] (OpenAI's clip.py).</summary>
    public static readonly IReadOnlyList<float> ClipStd = Array.AsReadOnly(new[] { 0.26862954f, 0.26130258f, 0.27577711f });

    /// <summary>
    /// Default <see cref="MaxPixelCount"/>: Pillow's MAX_IMAGE_PIXELS (1024 * 1024 * 1024 / 4 / 3, about
    /// 89 megapixels), the size above which Pillow warns of a decompression bomb.
    /// </summary>
    public const long DefaultMaxPixelCount = 1024L * 1024 * 1024 / 4 / 3;

    /// <summary>Resolution of pretrained ViT-B/32, ViT-B/16, ViT-L/14, RN50 and RN101.</summary>
    public const int DefaultResolution = 224;

    /// <summary>Largest accepted <see cref="Resolution"/>.</summary>
    public const int MaxResolution = 4096;

    private const int RgbChannels = 3;

    private readonly int _resolution = DefaultResolution;
    private readonly IReadOnlyList<float> _mean = ClipMean;
    private readonly IReadOnlyList<float> _std = ClipStd;
    private readonly long _maxPixelCount = DefaultMaxPixelCount;
    private readonly int _maxDegreeOfParallelism = -1;
    private readonly ImageResampler _resampler = ImageResampler.PillowBicubic;
    private readonly CropMode _crop = CropMode.Center;
    private readonly AlphaPolicy _alphaPolicy = AlphaPolicy.Reference;

    /// <summary>Side of the square output in pixels (1 to <see cref="MaxResolution"/>); 224 by default.</summary>
    public int Resolution
    {
        get => _resolution;
        init => _resolution = value is >= 1 and <= MaxResolution
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Resolution), value, $"Resolution must be between 1 and {MaxResolution} pixels.");
    }

    /// <summary>The resize filter; <see cref="ImageResampler.PillowBicubic"/> by default.</summary>
    public ImageResampler Resampler
    {
        get => _resampler;
        init => _resampler = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Resampler), value, $"Unknown resampler; valid values: {string.Join(", ", Enum.GetNames<ImageResampler>())}.");
    }

    /// <summary>How the image becomes square; <see cref="CropMode.Center"/> by default.</summary>
    public CropMode Crop
    {
        get => _crop;
        init => _crop = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Crop), value, $"Unknown crop mode; valid values: {string.Join(", ", Enum.GetNames<CropMode>())}.");
    }

    /// <summary>Per-channel mean (R, G, B) subtracted from values in [0, 1]; <see cref="ClipMean"/> by default.</summary>
    public IReadOnlyList<float> Mean
    {
        get => _mean;
        init => _mean = CheckChannels(value, nameof(Mean), allowZero: true);
    }

    /// <summary>Per-channel standard deviation (R, G, B) divided into the centred values; <see cref="ClipStd"/> by default.</summary>
    public IReadOnlyList<float> Std
    {
        get => _std;
        init => _std = CheckChannels(value, nameof(Std), allowZero: false);
    }

    /// <summary>Treatment of alpha; <see cref="AlphaPolicy.Reference"/> by default.</summary>
    public AlphaPolicy AlphaPolicy
    {
        get => _alphaPolicy;
        init => _alphaPolicy = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(AlphaPolicy), value, $"Unknown alpha policy; valid values: {string.Join(", ", Enum.GetNames<AlphaPolicy>())}.");
    }

    /// <summary>Colour under transparent pixels with <see cref="AlphaPolicy.CompositeOverBackground"/>; white by default.</summary>
    public Rgb24 Background { get; init; } = new(255, 255, 255);

    /// <summary>
    /// Whether to rotate and flip images as their EXIF orientation tag says, as photo viewers do; true
    /// by default. The reference pipeline ignores the tag, so set false for strict parity on rotated
    /// photos.
    /// </summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>
    /// Largest accepted width * height of a source image. Larger images are rejected from their header,
    /// before any pixel buffer is allocated. <see cref="DefaultMaxPixelCount"/> by default.
    /// </summary>
    public long MaxPixelCount
    {
        get => _maxPixelCount;
        init => _maxPixelCount = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxPixelCount), value, "MaxPixelCount must be at least 1.");
    }

    /// <summary>
    /// Most images a batch preprocesses at once; -1 (the default) uses every core.
    /// </summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = value == -1 || value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "MaxDegreeOfParallelism must be -1 (all cores) or at least 1.");
    }

    /// <summary>
    /// Options for strict parity with the reference pipeline at <paramref name="resolution"/>: the
    /// defaults with EXIF orientation ignored.
    /// </summary>
    public static ImagePreprocessorOptions Reference(int resolution = DefaultResolution) =>
        new() { Resolution = resolution, ApplyExifOrientation = false };

    private static IReadOnlyList<float> CheckChannels(IReadOnlyList<float> values, string name, bool allowZero)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count != RgbChannels)
        {
            throw new ArgumentException($"{name} needs {RgbChannels} values (R, G, B), got {values.Count}.", name);
        }

        foreach (float v in values)
        {
            if (!float.IsFinite(v) || (!allowZero && v <= 0))
            {
                throw new ArgumentOutOfRangeException(name, v, allowZero ? $"{name} values must be finite." : $"{name} values must be finite and positive.");
            }
        }

        return Array.AsReadOnly(values.ToArray());
    }
}
