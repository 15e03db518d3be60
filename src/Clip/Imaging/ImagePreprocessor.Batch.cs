using static TorchSharp.torch;

namespace Clip.Imaging;

public sealed partial class ImagePreprocessor
{
    /// <summary>Preprocesses the image files at <paramref name="paths"/> in parallel.</summary>
    /// <returns>A new float32 CPU tensor [B, 3, R, R], in the order of the paths, that the caller owns and disposes.</returns>
    /// <exception cref="ImageBatchException">An image failed; the exception names its index and source.</exception>
    public Tensor PreprocessBatch(IReadOnlyList<string> paths) => PreprocessBatch(FromPaths(paths));

    /// <summary>Preprocesses <paramref name="sources"/> in parallel, on up to <see cref="ImagePreprocessorOptions.MaxDegreeOfParallelism"/> cores.</summary>
    /// <returns>A new float32 CPU tensor [B, 3, R, R], in the order of the sources, that the caller owns and disposes.</returns>
    /// <exception cref="ImageBatchException">
    /// An image failed; the exception names the first failed index and its source, and counts the others.
    /// </exception>
    public Tensor PreprocessBatch(IReadOnlyList<ImageSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        (float[] values, Exception?[] errors) = Run(sources, augmentation: null, seed: 0);
        ThrowOnFailure(sources, errors);
        return ToTensor(values, sources.Count);
    }

    /// <summary>
    /// Preprocesses the files at <paramref name="paths"/> in parallel and leaves out those that are not
    /// valid images, reporting which and why.
    /// </summary>
    /// <returns>The tensor of the valid images and the list of skipped ones; the caller disposes the result.</returns>
    public PreprocessedBatch PreprocessBatchSkippingInvalid(IReadOnlyList<string> paths) => PreprocessBatchSkippingInvalid(FromPaths(paths));

    /// <summary>
    /// Preprocesses <paramref name="sources"/> in parallel and leaves out those that are not valid
    /// images (an <see cref="InvalidImageException"/>), reporting which and why.
    /// </summary>
    /// <returns>The tensor of the valid images and the list of skipped ones; the caller disposes the result.</returns>
    /// <exception cref="ImageBatchException">An image failed for a reason other than invalid input (a bug or an I/O fault).</exception>
    public PreprocessedBatch PreprocessBatchSkippingInvalid(IReadOnlyList<ImageSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        (float[] values, Exception?[] errors) = Run(sources, augmentation: null, seed: 0);
        var kept = new List<int>();
        var skipped = new List<SkippedImage>();
        for (int i = 0; i < sources.Count; i++)
        {
            switch (errors[i])
            {
                case null:
                    kept.Add(i);
                    break;
                case InvalidImageException invalid:
                    skipped.Add(new SkippedImage(i, sources[i].Name, invalid.Reason, invalid.Message));
                    break;
                default:
                    throw new ImageBatchException(i, sources[i].Name, CountFailures(errors) - 1, errors[i]!);
            }
        }

        // Move the kept images together; each moves to an index no greater than its own.
        for (int k = 0; k < kept.Count; k++)
        {
            if (kept[k] != k)
            {
                Array.Copy(values, kept[k] * ValuesPerImage, values, k * ValuesPerImage, ValuesPerImage);
            }
        }

        Array.Resize(ref values, kept.Count * ValuesPerImage);
        return new PreprocessedBatch(ToTensor(values, kept.Count), kept, skipped);
    }

    /// <summary>
    /// Preprocesses <paramref name="sources"/> with training augmentation, in parallel. Image i draws its
    /// random numbers from a generator seeded from (<paramref name="seed"/>, i), so a batch is the same
    /// for the same seed whatever the number of threads.
    /// </summary>
    /// <returns>A new float32 CPU tensor [B, 3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="ImageBatchException">An image failed; the exception names its index and source.</exception>
    public Tensor PreprocessAugmentedBatch(IReadOnlyList<ImageSource> sources, Augmentation.ImageAugmentationOptions augmentation, int seed)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(augmentation);
        (float[] values, Exception?[] errors) = Run(sources, augmentation, seed);
        ThrowOnFailure(sources, errors);
        return ToTensor(values, sources.Count);
    }

    /// <summary>Preprocesses one source with training augmentation drawn from <paramref name="seed"/>.</summary>
    /// <returns>A new float32 CPU tensor [3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The source cannot be decoded or is too large.</exception>
    public Tensor PreprocessAugmented(ImageSource source, Augmentation.ImageAugmentationOptions augmentation, int seed)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(augmentation);
        var values = new float[ValuesPerImage];
        Normalise(PrepareRgb(source, new Augmentation.ImageAugmentation(augmentation, new Random(seed))), values);
        using var scope = NewDisposeScope();
        return tensor(values, [RgbChannels, Options.Resolution, Options.Resolution]).MoveToOuterDisposeScope();
    }

    private (float[] Values, Exception?[] Errors) Run(IReadOnlyList<ImageSource> sources, Augmentation.ImageAugmentationOptions? augmentation, int seed)
    {
        var values = new float[checked(sources.Count * ValuesPerImage)];
        var errors = new Exception?[sources.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
        Parallel.For(0, sources.Count, parallel, i =>
        {
            try
            {
                ImageSource source = sources[i] ?? throw new ArgumentNullException(nameof(sources), $"Batch item {i} is null.");
                Augmentation.ImageAugmentation? augment = augmentation is null
                    ? null
                    : new Augmentation.ImageAugmentation(augmentation, new Random(ItemSeed(seed, i)));
                Normalise(PrepareRgb(source, augment), values.AsSpan(i * ValuesPerImage, ValuesPerImage));
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        return (values, errors);
    }

    /// <summary>Mixes a batch seed and an item index into an item seed (SplitMix64's finaliser).</summary>
    private static int ItemSeed(int seed, int index)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }

    private static void ThrowOnFailure(IReadOnlyList<ImageSource> sources, Exception?[] errors)
    {
        int first = Array.FindIndex(errors, e => e is not null);
        if (first >= 0)
        {
            throw new ImageBatchException(first, sources[first]?.Name ?? "null", CountFailures(errors) - 1, errors[first]!);
        }
    }

    private static int CountFailures(Exception?[] errors) => errors.Count(e => e is not null);

    private Tensor ToTensor(float[] values, int count)
    {
        using var scope = NewDisposeScope();
        return tensor(values, [count, RgbChannels, Options.Resolution, Options.Resolution]).MoveToOuterDisposeScope();
    }

    private static ImageSource[] FromPaths(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return paths.Select(ImageSource.FromFile).ToArray();
    }
}
