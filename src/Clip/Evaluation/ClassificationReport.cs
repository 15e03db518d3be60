using System.Globalization;
using System.Text;

namespace Clip.Evaluation;

/// <summary>Accuracy figures of a classifier on a labelled dataset.</summary>
/// <param name="Count">Number of examples evaluated.</param>
/// <param name="Top1Accuracy">Fraction of examples whose highest-scoring class is the true class.</param>
/// <param name="Top5Accuracy">Fraction of examples whose true class is among the five highest-scoring classes (all classes when there are fewer than five).</param>
/// <param name="MeanPerClassRecall">Mean over classes with examples of the fraction of each class's examples classified correctly.</param>
/// <param name="ConfusionMatrix">Counts of (true class, top-1 prediction) pairs.</param>
public sealed record ClassificationReport(
    int Count,
    double Top1Accuracy,
    double Top5Accuracy,
    double MeanPerClassRecall,
    ConfusionMatrix ConfusionMatrix)
{
    /// <summary>Serializes the report as indented JSON (camelCase names).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Formats the summary figures as a one-row Markdown table, optionally followed by the confusion matrix.</summary>
    /// <param name="title">Text of the first column, for example the dataset or model name.</param>
    /// <param name="includeConfusionMatrix">Whether to append the confusion matrix as a second table.</param>
    public string ToMarkdown(string title = "result", bool includeConfusionMatrix = false)
    {
        var text = new StringBuilder();
        text.AppendLine("| evaluation | examples | top-1 | top-5 | mean per-class recall |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {EvaluationJson.Cell(title)} | {Count} | {EvaluationJson.Percent(Top1Accuracy)} | {EvaluationJson.Percent(Top5Accuracy)} | {EvaluationJson.Percent(MeanPerClassRecall)} |"));
        if (includeConfusionMatrix)
        {
            text.AppendLine();
            text.Append(ConfusionMatrix.ToMarkdown());
        }

        return text.ToString();
    }
}
