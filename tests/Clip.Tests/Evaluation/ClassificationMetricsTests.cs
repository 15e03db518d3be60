using Clip.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    private static readonly string[] Classes = ["a", "b", "c"];

    /// <summary>
    /// Six examples over three classes. Top-1 predictions are a, a, b, c, c, c; labels are a, a, a, a, b, c.
    /// Ranks of the true class: 1, 1, 2, 3, 3, 1.
    /// </summary>
    private static Tensor Scores() => tensor(
        new float[,]
        {
            { 0.9f, 0.05f, 0.05f },
            { 0.6f, 0.3f, 0.1f },
            { 0.3f, 0.6f, 0.1f },
            { 0.1f, 0.2f, 0.7f },
            { 0.5f, 0.1f, 0.9f },
            { 0.2f, 0.3f, 0.5f },
        });

    private static readonly int[] Labels = [0, 0, 0, 0, 1, 2];

    [Theory]
    [InlineData(1, 3.0 / 6)]
    [InlineData(2, 4.0 / 6)]
    [InlineData(3, 1.0)]
    [InlineData(5, 1.0)]
    public void TopKAccuracy_HandMadeScores_MatchesRanks(int k, double expected)
    {
        using Tensor scores = Scores();

        Assert.Equal(expected, ClassificationMetrics.TopKAccuracy(scores, Labels, k), 12);
    }

    [Fact]
    public void ConfusionMatrix_HandMadeScores_CountsPairs()
    {
        using Tensor scores = Scores();

        ConfusionMatrix matrix = ClassificationMetrics.ConfusionMatrix(scores, Labels, Classes);

        long[][] expected = [[2, 1, 1], [0, 0, 1], [0, 0, 1]];
        Assert.Equal(expected, matrix.Counts.Select(row => row.ToArray()).ToArray());
    }

    [Fact]
    public void MeanPerClassRecall_Imbalanced_DiffersFromAccuracy()
    {
        using Tensor scores = Scores();

        ClassificationReport report = ClassificationMetrics.Evaluate(scores, Labels, Classes);

        // Recalls: a 2/4, b 0/1, c 1/1.
        Assert.Equal((0.5 + 0 + 1) / 3, report.MeanPerClassRecall, 12);
        Assert.Equal(3.0 / 6, report.Top1Accuracy, 12);
    }

    [Fact]
    public void MeanPerClassRecall_ClassWithoutExamples_IsLeftOut()
    {
        var matrix = ClassificationMetrics.ConfusionMatrixFromPredictions([0, 1, 0], [0, 1, 1], Classes);

        Assert.True(double.IsNaN(matrix.Recall(2)));
        Assert.Equal((1.0 + 0.5) / 2, matrix.MeanPerClassRecall, 12);
    }

    [Fact]
    public void Evaluate_TooFewClassesForTopFive_CountsAllClasses()
    {
        using Tensor scores = Scores();

        Assert.Equal(1.0, ClassificationMetrics.Evaluate(scores, Labels, Classes).Top5Accuracy);
    }

    [Fact]
    public void Evaluate_LabelOutOfRange_Throws()
    {
        using Tensor scores = Scores();

        var error = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Evaluate(scores, [0, 0, 0, 0, 1, 3], Classes));

        Assert.Contains("class index 3", error.Message);
    }

    [Fact]
    public void Evaluate_RowCountMismatch_Throws()
    {
        using Tensor scores = Scores();

        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Evaluate(scores, [0, 1], Classes));
    }

    [Fact]
    public void Report_Json_HasCamelCaseFiguresAndMatrix()
    {
        using Tensor scores = Scores();

        string json = ClassificationMetrics.Evaluate(scores, Labels, Classes).ToJson();

        Assert.Contains("\"top1Accuracy\": 0.5", json);
        Assert.Contains("\"counts\"", json);
    }

    [Fact]
    public void Report_Markdown_HasRowAndMatrix()
    {
        using Tensor scores = Scores();

        string markdown = ClassificationMetrics.Evaluate(scores, Labels, Classes).ToMarkdown("hand-made", includeConfusionMatrix: true);

        Assert.Contains("| hand-made | 6 | 50.00% | 100.00% | 50.00% |", markdown);
        Assert.Contains("| a | 2 | 1 | 1 | 50.00% |", markdown);
    }
}
