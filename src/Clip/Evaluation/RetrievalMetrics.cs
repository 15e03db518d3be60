using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>
/// Recall@k of cross-modal retrieval from an image-text similarity matrix, with any number of captions per image.
/// </summary>
/// <remarks>
/// <para>
/// The similarity matrix has shape [I, T]: one row per image, one column per caption. Each caption belongs
/// to exactly one image, given by <c>captionImage[t]</c>; an image may have several captions (five in COCO,
/// for example).
/// </para>
/// <para>
/// Image to text: an image is retrieved correctly at k when any of its captions is among the k captions most
/// similar to it, so its rank is that of its best-ranked own caption. Text to image: a caption is retrieved
/// correctly at k when its image is among the k images most similar to it. A rank is 1 plus the number of
/// candidates scoring strictly higher than the correct one, so a tie counts in the correct candidate's favour.
/// </para>
/// </remarks>
public static class RetrievalMetrics
{
    /// <summary>The recall cut-offs reported by default, as in CLIP's retrieval evaluations.</summary>
    public static IReadOnlyList<int> DefaultKs { get; } = [1, 5, 10];

    /// <summary>Rows or columns compared at once, which bounds the temporary memory to this many full rows.</summary>
    private const int ChunkSize = 1024;

    /// <summary>Computes recall@k in both directions.</summary>
    /// <param name="similarity">Image-text similarities [I, T], any float type.</param>
    /// <param name="captionImage">For each of the T captions, the index of its image in [0, I).</param>
    /// <param name="ks">Recall cut-offs (each at least 1); <see langword="null"/> uses <see cref="DefaultKs"/>.</param>
    /// <exception cref="ArgumentException">The shapes disagree, an image index is out of range, an image has no caption, or a k is smaller than 1.</exception>
    public static RetrievalReport Evaluate(Tensor similarity, IReadOnlyList<int> captionImage, IReadOnlyList<int>? ks = null)
    {
        ArgumentNullException.ThrowIfNull(similarity);
        ArgumentNullException.ThrowIfNull(captionImage);
        ks ??= DefaultKs;
        if (ks.Count == 0 || ks.Any(k => k < 1))
        {
            throw new ArgumentException($"Recall cut-offs must be at least 1, but were [{string.Join(", ", ks)}].", nameof(ks));
        }

        if (similarity.dim() != 2 || similarity.shape[1] != captionImage.Count)
        {
            throw new ArgumentException(
                $"The similarity matrix must have shape [images, {captionImage.Count}] for {captionImage.Count} captions, but has shape [{string.Join(", ", similarity.shape)}].",
                nameof(similarity));
        }

        int images = (int)similarity.shape[0];
        var captionCounts = new int[images];
        for (int t = 0; t < captionImage.Count; t++)
        {
            if ((uint)captionImage[t] >= (uint)images)
            {
                throw new ArgumentException($"Caption {t} belongs to image {captionImage[t]}; allowed: 0 to {images - 1}.", nameof(captionImage));
            }

            captionCounts[captionImage[t]]++;
        }

        int uncaptioned = Array.IndexOf(captionCounts, 0);
        if (uncaptioned >= 0)
        {
            throw new ArgumentException($"Image {uncaptioned} has no caption; every image needs at least one.", nameof(captionImage));
        }

        long[] imageRanks = ImageToTextRanks(similarity, captionImage);
        long[] textRanks = TextToImageRanks(similarity, captionImage);
        return new RetrievalReport(
            images,
            captionImage.Count,
            ks.Distinct().Order().ToDictionary(k => k, k => RecallAt(imageRanks, k)),
            ks.Distinct().Order().ToDictionary(k => k, k => RecallAt(textRanks, k)),
            Median(imageRanks),
            Median(textRanks));
    }

    /// <summary>Returns, for each image, the 1-based rank of its best-ranked own caption.</summary>
    private static long[] ImageToTextRanks(Tensor similarity, IReadOnlyList<int> captionImage)
    {
        using var scope = NewDisposeScope();
        Tensor scores = similarity.detach().to(CPU).to_type(ScalarType.Float32);
        int images = (int)scores.shape[0];
        int texts = (int)scores.shape[1];

        // own[i, t] is true when caption t belongs to image i.
        Tensor own = zeros(images, texts, ScalarType.Bool);
        Tensor owner = tensor(captionImage.Select(i => (long)i).ToArray()).unsqueeze(0); // [1, T]
        own.scatter_(0, owner, ones([1, texts], dtype: ScalarType.Bool));

        var ranks = new long[images];
        for (int start = 0; start < images; start += ChunkSize)
        {
            using var chunkScope = NewDisposeScope();
            int length = Math.Min(ChunkSize, images - start);
            Tensor block = scores.narrow(0, start, length); // [b, T]
            Tensor best = block.MaskedFill(own.narrow(0, start, length).logical_not(), double.NegativeInfinity).amax([1L], keepdim: true); // [b, 1]
            Tensor higher = block.gt(best).sum(1); // [b]
            higher.data<long>().CopyTo(ranks.AsSpan(start, length));
        }

        return ranks.Select(r => r + 1).ToArray();
    }

    /// <summary>Returns, for each caption, the 1-based rank of its image.</summary>
    private static long[] TextToImageRanks(Tensor similarity, IReadOnlyList<int> captionImage)
    {
        using var scope = NewDisposeScope();
        Tensor scores = similarity.detach().to(CPU).to_type(ScalarType.Float32);
        int texts = (int)scores.shape[1];
        Tensor owner = tensor(captionImage.Select(i => (long)i).ToArray()).unsqueeze(0); // [1, T]

        var ranks = new long[texts];
        for (int start = 0; start < texts; start += ChunkSize)
        {
            using var chunkScope = NewDisposeScope();
            int length = Math.Min(ChunkSize, texts - start);
            Tensor block = scores.narrow(1, start, length); // [I, b]
            Tensor correct = block.gather(0, owner.narrow(1, start, length)); // [1, b]
            Tensor higher = block.gt(correct).sum(0L); // [b]
            higher.data<long>().CopyTo(ranks.AsSpan(start, length));
        }

        return ranks.Select(r => r + 1).ToArray();
    }

    private static double RecallAt(long[] ranks, int k) => (double)ranks.Count(r => r <= k) / ranks.Length;

    private static double Median(long[] ranks)
    {
        long[] sorted = ranks.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }
}
