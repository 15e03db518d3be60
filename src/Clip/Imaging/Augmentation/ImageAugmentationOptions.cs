namespace Clip.Imaging.Augmentation;

/// <summary>
/// Training augmentation: a random resized crop (as torchvision's RandomResizedCrop), an optional
/// horizontal flip, and optional colour jitter and random greyscale. The defaults are the crop and the
/// flip without colour changes.
/// </summary>
public sealed record ImageAugmentationOptions
{
    private readonly double _minScale = 0.08;
    private readonly double _maxScale = 1.0;
    private readonly double _minAspectRatio = 3.0 / 4.0;
    private readonly double _maxAspectRatio = 4.0 / 3.0;
    private readonly double _flipProbability = 0.5;
    private readonly double _brightness;
    private readonly double _contrast;
    private readonly double _saturation;
    private readonly double _hue;
    private readonly double _grayscaleProbability;

    /// <summary>Smallest fraction of the image area a crop covers (torchvision's default 0.08).</summary>
    public double MinScale
    {
        get => _minScale;
        init => _minScale = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinScale), value, "MinScale must be in (0, 1].");
    }

    /// <summary>Largest fraction of the image area a crop covers (default 1); at least <see cref="MinScale"/>.</summary>
    public double MaxScale
    {
        get => _maxScale;
        init => _maxScale = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxScale), value, "MaxScale must be in (0, 1].");
    }

    /// <summary>Smallest width / height of a crop before resizing (default 3/4).</summary>
    public double MinAspectRatio
    {
        get => _minAspectRatio;
        init => _minAspectRatio = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinAspectRatio), value, "MinAspectRatio must be positive.");
    }

    /// <summary>Largest width / height of a crop before resizing (default 4/3); at least <see cref="MinAspectRatio"/>.</summary>
    public double MaxAspectRatio
    {
        get => _maxAspectRatio;
        init => _maxAspectRatio = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MaxAspectRatio), value, "MaxAspectRatio must be positive.");
    }

    /// <summary>Probability of mirroring the image left to right (default 0.5; 0 turns flipping off).</summary>
    public double HorizontalFlipProbability
    {
        get => _flipProbability;
        init => _flipProbability = CheckProbability(value, nameof(HorizontalFlipProbability));
    }

    /// <summary>Brightness jitter b: a factor drawn from [max(0, 1 - b), 1 + b] multiplies the pixels (default 0, off).</summary>
    public double Brightness
    {
        get => _brightness;
        init => _brightness = CheckJitter(value, nameof(Brightness));
    }

    /// <summary>Contrast jitter c: blends with the mean grey level by a factor from [max(0, 1 - c), 1 + c] (default 0, off).</summary>
    public double Contrast
    {
        get => _contrast;
        init => _contrast = CheckJitter(value, nameof(Contrast));
    }

    /// <summary>Saturation jitter s: blends with the greyscale image by a factor from [max(0, 1 - s), 1 + s] (default 0, off).</summary>
    public double Saturation
    {
        get => _saturation;
        init => _saturation = CheckJitter(value, nameof(Saturation));
    }

    /// <summary>Hue jitter h in [0, 0.5]: the hue turns by a fraction of a full turn drawn from [-h, h] (default 0, off).</summary>
    public double Hue
    {
        get => _hue;
        init => _hue = value is >= 0 and <= 0.5 ? value : throw new ArgumentOutOfRangeException(nameof(Hue), value, "Hue must be in [0, 0.5].");
    }

    /// <summary>Probability of converting the image to greyscale, kept as three equal channels (default 0, off).</summary>
    public double GrayscaleProbability
    {
        get => _grayscaleProbability;
        init => _grayscaleProbability = CheckProbability(value, nameof(GrayscaleProbability));
    }

    /// <summary>Throws when a minimum exceeds its maximum (init accessors see one value at a time).</summary>
    internal void Validate()
    {
        if (MinScale > MaxScale)
        {
            throw new ArgumentException($"MinScale {MinScale} is greater than MaxScale {MaxScale}.", nameof(MinScale));
        }

        if (MinAspectRatio > MaxAspectRatio)
        {
            throw new ArgumentException($"MinAspectRatio {MinAspectRatio} is greater than MaxAspectRatio {MaxAspectRatio}.", nameof(MinAspectRatio));
        }
    }

    private static double CheckProbability(double value, string name) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1].");

    private static double CheckJitter(double value, string name) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
}
