using System.Text;
using System.Text.Json.Serialization;

namespace Clip.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs: <c>Counts[t][p]</c> is the number of examples of class
/// <c>t</c> predicted as class <c>p</c>.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[][] _counts;

    /// <summary>Creates a matrix from counts indexed [true class][predicted class].</summary>
    /// <param name="classNames">Class names, one per row and column.</param>
    /// <param name="counts">A square matrix with one row per class; it is copied.</param>
    /// <exception cref="ArgumentException">The matrix is not square with one row per class, or holds a negative count.</exception>
    [JsonConstructor]
    public ConfusionMatrix(IReadOnlyList<string> classNames, IReadOnlyList<IReadOnlyList<long>> counts)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != classNames.Count || counts.Any(row => row.Count != classNames.Count))
        {
            throw new ArgumentException($"The counts must form a {classNames.Count} x {classNames.Count} matrix, one row and column per class.", nameof(counts));
        }

        if (counts.Any(row => row.Any(c => c < 0)))
        {
            throw new ArgumentException("Counts must not be negative.", nameof(counts));
        }

        ClassNames = classNames.ToArray();
        _counts = counts.Select(row => row.ToArray()).ToArray();
    }

    /// <summary>Class names, indexing rows (true class) and columns (predicted class).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The counts, indexed [true class][predicted class].</summary>
    public IReadOnlyList<IReadOnlyList<long>> Counts => _counts;

    /// <summary>Number of examples counted.</summary>
    [JsonIgnore]
    public long Total => _counts.Sum(row => row.Sum());

    /// <summary>Fraction of examples whose predicted class is the true class; NaN when the matrix is empty.</summary>
    [JsonIgnore]
    public double Accuracy => Total == 0 ? double.NaN : (double)Enumerable.Range(0, _counts.Length).Sum(i => _counts[i][i]) / Total;

    /// <summary>
    /// Mean over classes of <see cref="Recall"/>; classes without examples are left out of the mean (NaN
    /// when no class has examples). It equals accuracy on a balanced dataset.
    /// </summary>
    [JsonIgnore]
    public double MeanPerClassRecall
    {
        get
        {
            double[] recalls = Enumerable.Range(0, _counts.Length).Select(Recall).Where(r => !double.IsNaN(r)).ToArray();
            return recalls.Length == 0 ? double.NaN : recalls.Average();
        }
    }

    /// <summary>Returns the fraction of class <paramref name="classIndex"/>'s examples predicted as that class; NaN when it has none.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class index.</exception>
    public double Recall(int classIndex)
    {
        if ((uint)classIndex >= (uint)_counts.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"Allowed: 0 to {_counts.Length - 1}.");
        }

        long support = _counts[classIndex].Sum();
        return support == 0 ? double.NaN : (double)_counts[classIndex][classIndex] / support;
    }

    /// <summary>Formats the matrix as a Markdown table, rows being true classes and columns predicted ones.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| true \\ predicted |");
        foreach (string name in ClassNames)
        {
            text.Append(' ').Append(EvaluationJson.Cell(name)).Append(" |");
        }

        text.AppendLine(" recall |");
        text.Append("| --- |");
        text.Append(string.Concat(Enumerable.Repeat(" ---: |", ClassNames.Count)));
        text.AppendLine(" ---: |");
        for (int t = 0; t < _counts.Length; t++)
        {
            text.Append("| ").Append(EvaluationJson.Cell(ClassNames[t])).Append(" |");
            foreach (long count in _counts[t])
            {
                text.Append(' ').Append(count).Append(" |");
            }

            text.Append(' ').Append(EvaluationJson.Percent(Recall(t))).AppendLine(" |");
        }

        return text.ToString();
    }
}
