using System.Globalization;
using System.Text;

namespace Clip.Evaluation;

/// <summary>Test accuracy of few-shot probes with one shot count, over several random draws.</summary>
/// <param name="Shots">Training examples per class.</param>
/// <param name="MeanAccuracy">Mean top-1 test accuracy over the draws.</param>
/// <param name="StandardDeviation">Sample standard deviation (n - 1 in the denominator) of the accuracies; 0 for a single draw.</param>
/// <param name="Accuracies">Top-1 test accuracy of each draw, by seed.</param>
/// <param name="L2Strengths">L2 strength used in each draw, by seed.</param>
public sealed record FewShotRow(int Shots, double MeanAccuracy, double StandardDeviation, IReadOnlyList<double> Accuracies, IReadOnlyList<double> L2Strengths);

/// <summary>The outcome of a few-shot evaluation: one row per shot count.</summary>
/// <param name="Rows">Results by shot count, in the order of <see cref="FewShotOptions.Shots"/>.</param>
public sealed record FewShotResult(IReadOnlyList<FewShotRow> Rows)
{
    /// <summary>Serializes the result as indented JSON (camelCase names).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Formats the result as a Markdown table: shots, mean accuracy, spread and number of draws.</summary>
    /// <param name="title">Label of the rows, for example the dataset and model.</param>
    public string ToMarkdown(string title = "few-shot probe")
    {
        var text = new StringBuilder();
        text.AppendLine("| evaluation | shots per class | mean top-1 | std | draws |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (FewShotRow row in Rows)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {EvaluationJson.Cell(title)} | {row.Shots} | {EvaluationJson.Percent(row.MeanAccuracy)} | {row.StandardDeviation * 100:F2} | {row.Accuracies.Count} |"));
        }

        return text.ToString();
    }
}
