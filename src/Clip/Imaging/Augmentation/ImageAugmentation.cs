using SixLabors.ImageSharp;

namespace Clip.Imaging.Augmentation;

/// <summary>
/// One image's augmentation: draws its random choices from one generator, so the same seed gives the
/// same result.
/// </summary>
internal sealed class ImageAugmentation
{
    /// <summary>Attempts at a crop inside the image before falling back to a centre crop (torchvision's 10).</summary>
    private const int CropAttempts = 10;

    // ITU-R 601-2 luma weights in thousandths, as Pillow's convert("L") uses them.
    private const int LumaRed = 299;
    private const int LumaGreen = 587;
    private const int LumaBlue = 114;
    private const int LumaScale = 1000;

    private const int Channels = 3;
    private const float MaxSample = 255f;

    private readonly ImageAugmentationOptions _options;
    private readonly Random _random;

    public ImageAugmentation(ImageAugmentationOptions options, Random random)
    {
        options.Validate();
        _options = options;
        _random = random;
    }

    /// <summary>
    /// Draws the crop of a <paramref name="width"/> x <paramref name="height"/> image, resized to a
    /// <paramref name="resolution"/> square. Follows torchvision's RandomResizedCrop.get_params: an area
    /// fraction uniform in the scale range, an aspect ratio log-uniform in the ratio range, sides
    /// rounded half to even; ten attempts, then the whole image clamped to the ratio range.
    /// </summary>
    public ResizePlan Plan(int width, int height, int resolution)
    {
        double area = (double)width * height;
        double logMin = Math.Log(_options.MinAspectRatio);
        double logMax = Math.Log(_options.MaxAspectRatio);
        Rectangle region = default;
        bool found = false;
        for (int attempt = 0; attempt < CropAttempts && !found; attempt++)
        {
            double targetArea = area * Uniform(_options.MinScale, _options.MaxScale);
            double aspect = Math.Exp(Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = _random.Next(height - h + 1);
                int left = _random.Next(width - w + 1);
                region = new Rectangle(left, top, w, h);
                found = true;
            }
        }

        if (!found)
        {
            region = FallbackRegion(width, height);
        }

        return new ResizePlan(region, resolution, resolution, CropWindow.Whole(resolution, resolution));
    }

    /// <summary>Applies the flip, colour jitter (in random order) and random greyscale to an RGB buffer in place.</summary>
    public void ApplyColour(PixelBuffer rgb)
    {
        if (_random.NextDouble() < _options.HorizontalFlipProbability)
        {
            FlipHorizontally(rgb);
        }

        // torchvision applies the four jitters in a random order.
        int[] order = [0, 1, 2, 3];
        _random.Shuffle(order);
        foreach (int step in order)
        {
            switch (step)
            {
                case 0 when _options.Brightness > 0:
                    Blend(rgb, JitterFactor(_options.Brightness), _ => 0f);
                    break;
                case 1 when _options.Contrast > 0:
                    float mean = MeanLuma(rgb);
                    Blend(rgb, JitterFactor(_options.Contrast), _ => mean);
                    break;
                case 2 when _options.Saturation > 0:
                    float[] luma = Luma(rgb);
                    Blend(rgb, JitterFactor(_options.Saturation), i => luma[i / Channels]);
                    break;
                case 3 when _options.Hue > 0:
                    RotateHue(rgb, (float)Uniform(-_options.Hue, _options.Hue));
                    break;
            }
        }

        if (_random.NextDouble() < _options.GrayscaleProbability)
        {
            float[] luma = Luma(rgb);
            for (int i = 0; i < rgb.Data.Length; i++)
            {
                rgb.Data[i] = (byte)luma[i / Channels];
            }
        }
    }

    private Rectangle FallbackRegion(int width, int height)
    {
        double ratio = (double)width / height;
        int w = width;
        int h = height;
        if (ratio < _options.MinAspectRatio)
        {
            h = (int)Math.Round(w / _options.MinAspectRatio, MidpointRounding.ToEven);
        }
        else if (ratio > _options.MaxAspectRatio)
        {
            w = (int)Math.Round(h * _options.MaxAspectRatio, MidpointRounding.ToEven);
        }

        w = Math.Clamp(w, 1, width);
        h = Math.Clamp(h, 1, height);
        return new Rectangle((width - w) / 2, (height - h) / 2, w, h);
    }

    private double Uniform(double min, double max) => min + (max - min) * _random.NextDouble();

    private float JitterFactor(double amount) => (float)Uniform(Math.Max(0, 1 - amount), 1 + amount);

    private static void FlipHorizontally(PixelBuffer rgb)
    {
        for (int y = 0; y < rgb.Height; y++)
        {
            Span<byte> row = rgb.Row(y);
            for (int left = 0, right = rgb.Width - 1; left < right; left++, right--)
            {
                for (int c = 0; c < Channels; c++)
                {
                    (row[left * Channels + c], row[right * Channels + c]) = (row[right * Channels + c], row[left * Channels + c]);
                }
            }
        }
    }

    /// <summary>out = factor * pixel + (1 - factor) * other(i), rounded and clamped, as PIL's ImageEnhance blends.</summary>
    private static void Blend(PixelBuffer rgb, float factor, Func<int, float> other)
    {
        byte[] data = rgb.Data;
        for (int i = 0; i < data.Length; i++)
        {
            float value = factor * data[i] + (1 - factor) * other(i);
            data[i] = (byte)Math.Clamp(MathF.Round(value), 0f, MaxSample);
        }
    }

    private static float[] Luma(PixelBuffer rgb)
    {
        byte[] data = rgb.Data;
        var luma = new float[rgb.Width * rgb.Height];
        for (int p = 0; p < luma.Length; p++)
        {
            int i = p * Channels;
            luma[p] = (data[i] * LumaRed + data[i + 1] * LumaGreen + data[i + 2] * LumaBlue) / LumaScale;
        }

        return luma;
    }

    private static float MeanLuma(PixelBuffer rgb) => MathF.Round(Luma(rgb).Average());

    /// <summary>Turns the hue of every pixel by <paramref name="shift"/> of a full turn, in HSV.</summary>
    private static void RotateHue(PixelBuffer rgb, float shift)
    {
        byte[] data = rgb.Data;
        for (int i = 0; i < data.Length; i += Channels)
        {
            float r = data[i] / MaxSample;
            float g = data[i + 1] / MaxSample;
            float b = data[i + 2] / MaxSample;
            float max = MathF.Max(r, MathF.Max(g, b));
            float min = MathF.Min(r, MathF.Min(g, b));
            float chroma = max - min;
            if (chroma == 0)
            {
                continue;
            }

            float hue = max == r ? (g - b) / chroma : max == g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
            hue = (hue / 6 + shift) % 1f;
            if (hue < 0)
            {
                hue += 1;
            }

            float saturation = chroma / max;
            (data[i], data[i + 1], data[i + 2]) = FromHsv(hue, saturation, max);
        }
    }

    private static (byte R, byte G, byte B) FromHsv(float hue, float saturation, float value)
    {
        float h = hue * 6;
        int sector = (int)MathF.Floor(h) % 6;
        float f = h - MathF.Floor(h);
        float p = value * (1 - saturation);
        float q = value * (1 - saturation * f);
        float t = value * (1 - saturation * (1 - f));
        (float r, float g, float b) = sector switch
        {
            0 => (value, t, p),
            1 => (q, value, p),
            2 => (p, value, t),
            3 => (p, q, value),
            4 => (t, p, value),
            _ => (value, p, q),
        };
        return (ToByte(r), ToByte(g), ToByte(b));
    }

    private static byte ToByte(float unit) => (byte)Math.Clamp(MathF.Round(unit * MaxSample), 0f, MaxSample);
}
