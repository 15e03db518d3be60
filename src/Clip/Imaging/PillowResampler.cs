using System.Numerics;
using System.Runtime.CompilerServices;

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
/// output pixels inside the requested crop. Every output pixel depends only on its own weights, so the
/// crop equals Pillow's full resize followed by a crop, byte for byte.
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
    /// <remarks>Pointer loops with the channel count hoisted out: this pass dominates the preprocessing time.</remarks>
    private static unsafe PixelBuffer ResampleRows(PixelBuffer source, FilterWeights weights, int firstRow, int endRow)
    {
        int channels = source.Channels;
        int outputWidth = weights.Start.Length;
        int maxTaps = weights.MaxTaps;
        var result = new PixelBuffer(outputWidth, endRow - firstRow, channels);
        fixed (byte* input = source.Data)
        fixed (byte* output = result.Data)
        fixed (int* allWeights = weights.Weights)
        fixed (int* starts = weights.Start)
        fixed (int* counts = weights.Count)
        {
            for (int y = firstRow; y < endRow; y++)
            {
                byte* inputRow = input + (long)y * source.Stride;
                byte* outputPixel = output + (long)(y - firstRow) * result.Stride;
                for (int x = 0; x < outputWidth; x++, outputPixel += channels)
                {
                    int* taps = allWeights + x * maxTaps;
                    int count = counts[x];
                    byte* pixel = inputRow + starts[x] * channels;
                    switch (channels)
                    {
                        case 1:
                            outputPixel[0] = Clamp8(Dot1(pixel, taps, count));
                            break;
                        case 3:
                            {
                                int s0 = RoundingOffset, s1 = RoundingOffset, s2 = RoundingOffset;
                                for (int k = 0; k < count; k++, pixel += 3)
                                {
                                    int w = taps[k];
                                    s0 += pixel[0] * w;
                                    s1 += pixel[1] * w;
                                    s2 += pixel[2] * w;
                                }

                                outputPixel[0] = Clamp8(s0);
                                outputPixel[1] = Clamp8(s1);
                                outputPixel[2] = Clamp8(s2);
                                break;
                            }

                        default:
                            for (int c = 0; c < channels; c++)
                            {
                                int sum = RoundingOffset;
                                for (int k = 0; k < count; k++)
                                {
                                    sum += pixel[k * channels + c] * taps[k];
                                }

                                outputPixel[c] = Clamp8(sum);
                            }

                            break;
                    }
                }
            }
        }

        return result;
    }

    private static unsafe int Dot1(byte* pixel, int* taps, int count)
    {
        int sum = RoundingOffset;
        for (int k = 0; k < count; k++)
        {
            sum += pixel[k] * taps[k];
        }

        return sum;
    }

    /// <summary>Vertical pass; row 0 of <paramref name="input"/> is source row <paramref name="firstRow"/>.</summary>
    private static unsafe PixelBuffer ResampleColumns(PixelBuffer input, FilterWeights weights, int firstRow)
    {
        int outputHeight = weights.Start.Length;
        int stride = input.Stride;
        var result = new PixelBuffer(input.Width, outputHeight, input.Channels);
        var sums = new int[stride];
        fixed (byte* rows = input.Data)
        fixed (byte* output = result.Data)
        fixed (int* sum = sums)
        {
            for (int y = 0; y < outputHeight; y++)
            {
                ReadOnlySpan<int> taps = weights.Taps(y);
                byte* top = rows + (long)(weights.Start[y] - firstRow) * stride;
                new Span<int>(sum, stride).Fill(RoundingOffset);
                for (int k = 0; k < taps.Length; k++)
                {
                    AccumulateRow(sum, top + (long)k * stride, taps[k], stride);
                }

                byte* outputRow = output + (long)y * stride;
                for (int i = 0; i < stride; i++)
                {
                    outputRow[i] = Clamp8(sum[i]);
                }
            }
        }

        return result;
    }

    /// <summary>sum[i] += row[i] * weight for i in [0, length), in SIMD registers where the hardware has them.</summary>
    private static unsafe void AccumulateRow(int* sum, byte* row, int weight, int length)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // One byte vector widens to four int vectors; integer arithmetic, so the result is exact.
            int bytesPerStep = Vector<byte>.Count;
            int intsPerVector = Vector<int>.Count;
            var weights = new Vector<int>(weight);
            for (; i + bytesPerStep <= length; i += bytesPerStep)
            {
                Vector.Widen(Unsafe.ReadUnaligned<Vector<byte>>(row + i), out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> q0, out Vector<uint> q1);
                Vector.Widen(high, out Vector<uint> q2, out Vector<uint> q3);
                int* s = sum + i;
                Unsafe.WriteUnaligned(s, Unsafe.ReadUnaligned<Vector<int>>(s) + Vector.AsVectorInt32(q0) * weights);
                Unsafe.WriteUnaligned(s + intsPerVector, Unsafe.ReadUnaligned<Vector<int>>(s + intsPerVector) + Vector.AsVectorInt32(q1) * weights);
                Unsafe.WriteUnaligned(s + 2 * intsPerVector, Unsafe.ReadUnaligned<Vector<int>>(s + 2 * intsPerVector) + Vector.AsVectorInt32(q2) * weights);
                Unsafe.WriteUnaligned(s + 3 * intsPerVector, Unsafe.ReadUnaligned<Vector<int>>(s + 3 * intsPerVector) + Vector.AsVectorInt32(q3) * weights);
            }
        }

        for (; i < length; i++)
        {
            sum[i] += row[i] * weight;
        }
    }

    /// <summary>Drops the fractional bits (an arithmetic shift, as Pillow does) and clamps to 0..255.</summary>
    private static byte Clamp8(int sum)
    {
        int value = sum >> PrecisionBits;
        return (byte)Math.Clamp(value, 0, MaxSample);
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
        private FilterWeights(int[] start, int[] count, int[] weights, int maxTaps)
        {
            Start = start;
            Count = count;
            Weights = weights;
            MaxTaps = maxTaps;
        }

        /// <summary>First input index of each output pixel.</summary>
        public int[] Start { get; }

        /// <summary>Number of input pixels of each output pixel.</summary>
        public int[] Count { get; }

        /// <summary>The weights, <see cref="MaxTaps"/> slots per output pixel.</summary>
        public int[] Weights { get; }

        public int MaxTaps { get; }

        public ReadOnlySpan<int> Taps(int index) => Weights.AsSpan(index * MaxTaps, Count[index]);

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
