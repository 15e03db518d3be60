using Clip.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Evaluation;

public sealed class RetrievalMetricsTests
{
    /// <summary>Images 0 and 1 have two captions each, image 2 one: captions 0, 1 -> image 0; 2, 3 -> image 1; 4 -> image 2.</summary>
    private static readonly int[] CaptionImage = [0, 0, 1, 1, 2];

    /// <summary>
    /// Similarities [3 images, 5 captions]. Image to text ranks of the best own caption: 1, 4, 5 (image 0's
    /// first caption alone would rank 5). Text to image ranks of the own image: 3, 1, 3, 2, 3.
    /// </summary>
    private static Tensor Similarity() => tensor(
        new float[,]
        {
            { 0.1f, 0.9f, 0.8f, 0.2f, 0.3f },
            { 0.7f, 0.6f, 0.1f, 0.5f, 0.95f },
            { 0.9f, 0.8f, 0.7f, 0.6f, 0.05f },
        });

    [Fact]
    public void ImageToText_SeveralCaptions_UsesBestRankedCaption()
    {
        using Tensor similarity = Similarity();

        RetrievalReport report = RetrievalMetrics.Evaluate(similarity, CaptionImage, [1, 4, 5]);

        Assert.Equal(1.0 / 3, report.ImageToTextRecall[1], 12);
        Assert.Equal(2.0 / 3, report.ImageToTextRecall[4], 12);
        Assert.Equal(1.0, report.ImageToTextRecall[5], 12);
        Assert.Equal(4, report.ImageToTextMedianRank);
    }

    [Fact]
    public void TextToImage_HandMadeMatrix_MatchesRanks()
    {
        using Tensor similarity = Similarity();

        RetrievalReport report = RetrievalMetrics.Evaluate(similarity, CaptionImage, [1, 2, 3]);

        Assert.Equal(1.0 / 5, report.TextToImageRecall[1], 12);
        Assert.Equal(2.0 / 5, report.TextToImageRecall[2], 12);
        Assert.Equal(1.0, report.TextToImageRecall[3], 12);
        Assert.Equal(3, report.TextToImageMedianRank);
    }

    [Fact]
    public void Evaluate_DefaultKs_AreOneFiveTen()
    {
        using Tensor similarity = Similarity();

        RetrievalReport report = RetrievalMetrics.Evaluate(similarity, CaptionImage);

        Assert.Equal([1, 5, 10], report.ImageToTextRecall.Keys.Order());
        Assert.Equal(1.0, report.TextToImageRecall[10]);
    }

    [Fact]
    public void Evaluate_Ties_CountForCorrectCandidate()
    {
        using Tensor similarity = ones(2, 2);

        RetrievalReport report = RetrievalMetrics.Evaluate(similarity, [0, 1], [1]);

        Assert.Equal(1.0, report.ImageToTextRecall[1]);
        Assert.Equal(1.0, report.TextToImageRecall[1]);
    }

    [Fact]
    public void Evaluate_ChunkedRows_MatchIdentity()
    {
        // More rows and columns than one chunk (1024), with the correct pair on the diagonal.
        const int Size = 1500;
        using Tensor similarity = eye(Size).add(rand(Size, Size).mul(0.5));

        RetrievalReport report = RetrievalMetrics.Evaluate(similarity, Enumerable.Range(0, Size).ToArray(), [1]);

        Assert.Equal(1.0, report.ImageToTextRecall[1]);
        Assert.Equal(1.0, report.TextToImageRecall[1]);
    }

    [Fact]
    public void Evaluate_ImageWithoutCaption_Throws()
    {
        using Tensor similarity = Similarity();

        var error = Assert.Throws<ArgumentException>(() => RetrievalMetrics.Evaluate(similarity.narrow(1, 0, 4), [0, 0, 1, 1]));

        Assert.Contains("Image 2 has no caption", error.Message);
    }

    [Fact]
    public void Evaluate_ColumnCountMismatch_Throws()
    {
        using Tensor similarity = Similarity();

        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Evaluate(similarity, [0, 1, 2]));
    }

    [Fact]
    public void Report_Markdown_HasBothDirections()
    {
        using Tensor similarity = Similarity();

        string markdown = RetrievalMetrics.Evaluate(similarity, CaptionImage).ToMarkdown("toy");

        Assert.Contains("| toy: image to text | 3 | 33.33% | 100.00% | 100.00% | 4 |", markdown);
        Assert.Contains("| toy: text to image | 5 | 20.00% | 100.00% | 100.00% | 3 |", markdown);
    }
}
