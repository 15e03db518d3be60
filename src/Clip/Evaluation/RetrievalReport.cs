using System.Globalization;
using System.Text;

namespace Clip.Evaluation;

/// <summary>Recall@k of image-to-text and text-to-image retrieval.</summary>
/// <param name="Images">Number of images (queries of image-to-text retrieval).</param>
/// <param name="Texts">Number of captions (queries of text-to-image retrieval).</param>
/// <param name="ImageToTextRecall">For each k, the fraction of images with at least one of their captions among the k best-scoring captions.</param>
/// <param name="TextToImageRecall">For each k, the fraction of captions whose image is among the k best-scoring images.</param>
/// <param name="ImageToTextMedianRank">Median over images of the 1-based rank of the best-ranked own caption.</param>
/// <param name="TextToImageMedianRank">Median over captions of the 1-based rank of the caption's image.</param>
public sealed record RetrievalReport(
    int Images,
    int Texts,
    IReadOnlyDictionary<int, double> ImageToTextRecall,
    IReadOnlyDictionary<int, double> TextToImageRecall,
    double ImageToTextMedianRank,
    double TextToImageMedianRank)
{
    /// <summary>Serializes the report as indented JSON (camelCase names).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Formats the report as a Markdown table with one row per direction and one column per k.</summary>
    /// <param name="title">Prefix of each row label, for example the dataset name.</param>
    public string ToMarkdown(string title = "retrieval")
    {
        int[] ks = ImageToTextRecall.Keys.Order().ToArray();
        var text = new StringBuilder();
        text.Append("| evaluation | queries |");
        text.Append(string.Concat(ks.Select(k => $" R@{k} |")));
        text.AppendLine(" median rank |");
        text.Append("| --- | ---: |");
        text.Append(string.Concat(ks.Select(_ => " ---: |")));
        text.AppendLine(" ---: |");
        AppendRow(text, $"{title}: image to text", Images, ImageToTextRecall, ks, ImageToTextMedianRank);
        AppendRow(text, $"{title}: text to image", Texts, TextToImageRecall, ks, TextToImageMedianRank);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string label, int queries, IReadOnlyDictionary<int, double> recall, int[] ks, double medianRank)
    {
        text.Append(CultureInfo.InvariantCulture, $"| {EvaluationJson.Cell(label)} | {queries} |");
        text.Append(string.Concat(ks.Select(k => $" {EvaluationJson.Percent(recall[k])} |")));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $" {medianRank:0.#} |"));
    }
}
