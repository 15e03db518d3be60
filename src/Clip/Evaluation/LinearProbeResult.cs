using System.Globalization;
using System.Text;

namespace Clip.Evaluation;

/// <summary>The outcome of a linear-probe evaluation: the chosen L2 strength, the sweep, and the test figures.</summary>
/// <param name="L2Strength">The L2 strength chosen on the validation split.</param>
/// <param name="ValidationAccuracy">Validation accuracy of the chosen strength.</param>
/// <param name="Sweep">Every strength tried, in order.</param>
/// <param name="Test">Accuracy figures of the final classifier on the test set.</param>
public sealed record LinearProbeResult(
    double L2Strength,
    double ValidationAccuracy,
    IReadOnlyList<RegularizationCandidate> Sweep,
    ClassificationReport Test)
{
    /// <summary>Serializes the result as indented JSON (camelCase names).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Formats the result as Markdown: the test figures, then the sweep.</summary>
    /// <param name="title">Label of the result row, for example the dataset and model.</param>
    public string ToMarkdown(string title = "linear probe")
    {
        var text = new StringBuilder();
        text.AppendLine("| evaluation | L2 strength | validation top-1 | test top-1 | test top-5 | test mean per-class recall |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {EvaluationJson.Cell(title)} | {L2Strength:G3} | {EvaluationJson.Percent(ValidationAccuracy)} | {EvaluationJson.Percent(Test.Top1Accuracy)} | {EvaluationJson.Percent(Test.Top5Accuracy)} | {EvaluationJson.Percent(Test.MeanPerClassRecall)} |"));
        text.AppendLine();
        text.AppendLine("| L2 strength | validation top-1 | iterations | converged |");
        text.AppendLine("| ---: | ---: | ---: | --- |");
        foreach (RegularizationCandidate candidate in Sweep)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {candidate.L2Strength:G3} | {EvaluationJson.Percent(candidate.ValidationAccuracy)} | {candidate.Iterations} | {(candidate.Converged ? "yes" : "no")} |"));
        }

        return text.ToString();
    }
}
