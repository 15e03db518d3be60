namespace Clip.Imaging;

/// <summary>
/// Resizing that reproduces Pillow's <c>Image.resize</c> bit for bit on 8-bit data (verified against
/// Pillow 9.4.0): the antialiased bicubic filter in fixed-point arithmetic, and the nearest-neighbour
/// scaling Pillow uses for palette and bilevel images.
/// </summary>
/// <remarks>
/// The bicubic resize runs two separable passes, horizontal then vertical. Each output sample is a
/// weighted sum of input samples with integer weights of <see cref="PrecisionBits"/> fractional bits;
/// the sum is rounded, shifted and clamped to 0..255 after each pass. The passes compute only the
/// output pixels inside the requested crop; every output pixel depends only on its own weights, so
/// the crop equals Pillow's full resize followed by a crop, byte for byte.
/// </remarks>
internal static class PillowResampler
{
    /// <summary>Fractional bits of the fixed-point weights: 32 bits minus 8 for the sample and 2 for overflow (Pillow's PRECISION_BITS).</summary>
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Half of one output step, added before the shift so that it rounds to nearest.</summary>
    private const int RoundingOffset = 1 << (PrecisionBits - 1);

    /// <summary>Bicubic convolution parameter a (Pillow and Keys' usual choice).</summary>
    private const double BicubicA = -0.5;

    /// <summary>Radius of the bicubic kernel at scale 1, in input pixels.</summary>
    private const double BicubicSupport = 2.0;

    private const byte MaxSample = 255;

    /// <summary>
    /// Resizes <paramref name="source"/> to <paramref name="resizedWidth"/> x <paramref name="resizedHeight"/>
    /// with Pillow's bicubic filter and returns the <paramref name="crop"/> of the result.
    /// </summary>
    public static PixelBuffer ResizeBicubic(PixelBuffer source, int resizedWidth, int resizedHeight, CropWindow crop)
    {
        crop.Validate(resizedWidth, resizedHeight);
        if (resizedWidth == source.Width && resizedHeight == source.Height)
        {
            // Pillow copies an image whose size already matches: no resampling at all.
            return source.Crop(crop.Left, crop.Top, crop.Width, crop.Height);
        }

        bool needHorizontal = resizedWidth != source.Width;
        bool needVertical = resizedHeight != source.Height;
        FilterWeights? horizontal = needHorizontal ? FilterWeights.Compute(source.Width, resizedWidth, crop.Left, crop.Width) : null;
        FilterWeights? vertical = needVertical ? FilterWeights.Compute(source.Height, resizedHeight, crop.Top, crop.Height) : null;

        // Source rows the vertical pass reads (all weights are monotonic in the output index).
        int firstRow = vertical is null ? crop.Top : vertical.Start[0];
        int endRow = vertical is null ? crop.Top + crop.Height : vertical.Start[^1] + vertical.Count[^1];

        PixelBuffer intermediate = horizontal is null
            ? source.Crop(crop.Left, firstRow, crop.Width, endRow - firstRow)
            : ResampleRows(source, horizontal, firstRow, endRow);
        return vertical is null ? intermediate : ResampleColumns(intermediate, vertical, firstRow);
    }

    /// <summary>
    /// Resizes with Pillow's nearest-neighbour scaling (used for palette and bilevel images whatever
    /// filter is requested) and returns the <paramref name="crop"/> of the result.
    /// </summary>
    public static PixelBuffer ResizeNearest(PixelBuffer source, int resizedWidth, int resizedHeight, CropWindow crop)
    {
        crop.Validate(resizedWidth, resizedHeight);
        if (resizedWidth == source.Width && resizedHeight == source.Height)
        {
            return source.Crop(crop.Left, crop.Top, crop.Width, crop.Height);
        }

        int[] columns = NearestIndices(source.Width, resizedWidth, crop.Left, crop.Width);
        int[] rows = NearestIndices(source.Height, resizedHeight, crop.Top, crop.Height);
        int channels = source.Channels;
        var result = new PixelBuffer(crop.Width, crop.Height, channels);
        for (int y = 0; y < crop.Height; y++)
        {
            ReadOnlySpan<byte> input = source.Row(rows[y]);
            Span<byte> output = result.Row(y);
            for (int x = 0; x < crop.Width; x++)
            {
                input.Slice(columns[x] * channels, channels).CopyTo(output.Slice(x * channels, channels));
            }
        }

        return result;
    }

    /// <summary>
    /// Input index of each output pixel in [first, first + count) of a nearest-neighbour scaling, with
    /// Pillow's arithmetic: the position starts at half a step and grows by repeated addition of the
    /// step, then truncates.
    /// </summary>
    private static int[] NearestIndices(int inputSize, int outputSize, int first, int count)
    {
        double step = (double)inputSize / outputSize;
        double position = step * 0.5;
        var indices = new int[count];
        for (int i = 0; i < first + count; i++)
        {
            if (i >= first)
            {
                // Positions stay inside [0, inputSize) for a scaling of the whole image; the clamp only
                // guards against a rounding surprise.
                indices[i - first] = Math.Clamp((int)position, 0, inputSize - 1);
            }

            position += step;
        }

        return indices;
    }

    /// <summary>Horizontal pass over the source rows [firstRow, endRow).</summary>
    private static PixelBuffer ResampleRows(PixelBuffer source, FilterWeights weights, int firstRow, int endRow)
    {
        int channels = source.Channels;
        int outputWidth = weights.Start.Length;
        var result = new PixelBuffer(outputWidth, endRow - firstRow, channels);
        for (int y = firstRow; y < endRow; y++)
        {
            ReadOnlySpan<byte> input = source.Row(y);
            Span<byte> output = result.Row(y - firstRow);
            for (int x = 0; x < outputWidth; x++)
            {
                ReadOnlySpan<int> taps = weights.Taps(x);
                ReadOnlySpan<byte> window = input.Slice(weights.Start[x] * channels, taps.Length * channels);
                for (int c = 0; c < channels; c++)
                {
                    int sum = RoundingOffset;
                    for (int k = 0; k < taps.Length; k++)
                    {
                        sum += window[k * channels + c] * taps[k];
                    }

                    output[x * channels + c] = Clamp8(sum);
                }
            }
        }

        return result;
    }

    /// <summary>Vertical pass; row 0 of <paramref name="input"/> is source row <paramref name="firstRow"/>.</summary>
    private static PixelBuffer ResampleColumns(PixelBuffer input, FilterWeights weights, int firstRow)
    {
        int outputHeight = weights.Start.Length;
        var result = new PixelBuffer(input.Width, outputHeight, input.Channels);
        var sums = new int[input.Stride];
        for (int y = 0; y < outputHeight; y++)
        {
            ReadOnlySpan<int> taps = weights.Taps(y);
            int top = weights.Start[y] - firstRow;
            sums.AsSpan().Fill(RoundingOffset);
            for (int k = 0; k < taps.Length; k++)
            {
                AccumulateRow(sums, input.Row(top + k), taps[k]);
            }

            Span<byte> output = result.Row(y);
            for (int i = 0; i < sums.Length; i++)
            {
                output[i] = Clamp8(sums[i]);
            }
        }

        return result;
    }

    private static void AccumulateRow(Span<int> sums, ReadOnlySpan<byte> row, int weight)
    {
        for (int i = 0; i < sums.Length; i++)
        {
            sums[i] += row[i] * weight;
        }
    }

    /// <summary>Drops the fractional bits (an arithmetic shift, as Pillow does) and clamps to 0..255.</summary>
    private static byte Clamp8(int sum)
    {
        int value = sum >> PrecisionBits;
        return value < 0 ? (byte)0 : value > MaxSample ? MaxSample : (byte)value;
    }

    /// <summary>Pillow's bicubic kernel.</summary>
    private static double Bicubic(double x)
    {
        if (x < 0.0)
        {
            x = -x;
        }

        if (x < 1.0)
        {
            return ((BicubicA + 2.0) * x - (BicubicA + 3.0)) * x * x + 1;
        }

        if (x < 2.0)
        {
            return (((x - 5) * x + 8) * x - 4) * BicubicA;
        }

        return 0.0;
    }

    /// <summary>
    /// Fixed-point weights of a range of output pixels along one axis: for output pixel i, the input
    /// pixels Start[i] .. Start[i] + Count[i] - 1 and their integer weights.
    /// </summary>
    private sealed class FilterWeights
    {
        private readonly int[] _weights;
        private readonly int _maxTaps;

        private FilterWeights(int[] start, int[] count, int[] weights, int maxTaps)
        {
            Start = start;
            Count = count;
            _weights = weights;
            _maxTaps = maxTaps;
        }

        public int[] Start { get; }

        public int[] Count { get; }

        public ReadOnlySpan<int> Taps(int index) => _weights.AsSpan(index * _maxTaps, Count[index]);

        /// <summary>
        /// Computes the weights of output pixels [first, first + count) for resizing inputSize samples to
        /// outputSize, with Pillow's floating-point steps and rounding rules.
        /// </summary>
        public static FilterWeights Compute(int inputSize, int outputSize, int first, int count)
        {
            double scale = (double)inputSize / outputSize;

            // Shrinking widens the kernel by the reduction factor, which low-pass filters (antialiases).
            double filterScale = Math.Max(scale, 1.0);
            double support = BicubicSupport * filterScale;
            int maxTaps = (int)Math.Ceiling(support) * 2 + 1;
            double inverseFilterScale = 1.0 / filterScale;

            var start = new int[count];
            var taps = new int[count];
            var weights = new int[count * maxTaps];
            var real = new double[maxTaps];
            for (int i = 0; i < count; i++)
            {
                int output = first + i;
                double center = (output + 0.5) * scale;

                // C casts truncate toward zero; Pillow then clamps to the image.
                int min = Math.Max((int)(center - support + 0.5), 0);
                int max = Math.Min((int)(center + support + 0.5), inputSize) - min;

                double total = 0.0;
                for (int k = 0; k < max; k++)
                {
                    double w = Bicubic((k + min - center + 0.5) * inverseFilterScale);
                    real[k] = w;
                    total += w;
                }

                for (int k = 0; k < max; k++)
                {
                    double normalised = total != 0.0 ? real[k] / total : real[k];

                    // Round half away from zero, as Pillow's normalize_coeffs_8bpc does.
                    weights[i * maxTaps + k] = normalised < 0
                        ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                        : (int)(0.5 + normalised * (1 << PrecisionBits));
                }

                start[i] = min;
                taps[i] = max;
            }

            return new FilterWeights(start, taps, weights, maxTaps);
        }
    }
}
