using System.Text;

namespace Clip.Checkpoints;

/// <summary>
/// A tensor whose shape in a checkpoint differs from the shape the model expects.
/// </summary>
/// <param name="Key">State-dict key in the reference layout.</param>
/// <param name="Expected">Shape of the model's parameter or buffer.</param>
/// <param name="Actual">Shape found in the checkpoint.</param>
public sealed record ShapeMismatch(string Key, IReadOnlyList<long> Expected, IReadOnlyList<long> Actual);

/// <summary>
/// Raised by strict loading before any weight is copied, listing together every key the model expects but
/// the checkpoint lacks, every key the checkpoint has but the model does not, and every shape mismatch.
/// </summary>
public sealed class StateDictMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception from the three lists; any of them may be empty, but not all.</summary>
    /// <param name="source">The checkpoint the tensors came from (a path or a description).</param>
    /// <param name="missingKeys">Keys of the model absent from the checkpoint.</param>
    /// <param name="unexpectedKeys">Keys of the checkpoint absent from the model.</param>
    /// <param name="shapeMismatches">Keys present in both with different shapes.</param>
    public StateDictMismatchException(
        string source,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<ShapeMismatch> shapeMismatches)
        : base(BuildMessage(source, missingKeys, unexpectedKeys, shapeMismatches))
    {
        Source = source;
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>The checkpoint the tensors came from.</summary>
    public new string Source { get; }

    /// <summary>Keys of the model absent from the checkpoint.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys of the checkpoint absent from the model.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Keys present in both with different shapes.</summary>
    public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

    private static string BuildMessage(
        string source,
        IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> mismatches)
    {
        var text = new StringBuilder();
        text.Append("The checkpoint '").Append(source).Append("' does not match the model; nothing was copied.");
        if (missing.Count > 0)
        {
            text.Append(" Missing keys (").Append(missing.Count).Append("): ").Append(string.Join(", ", missing)).Append('.');
        }

        if (unexpected.Count > 0)
        {
            text.Append(" Unexpected keys (").Append(unexpected.Count).Append("): ").Append(string.Join(", ", unexpected)).Append('.');
        }

        if (mismatches.Count > 0)
        {
            text.Append(" Shape mismatches (").Append(mismatches.Count).Append("): ");
            text.Append(string.Join(", ", mismatches.Select(m =>
                $"{m.Key} expected [{string.Join(", ", m.Expected)}] but the checkpoint has [{string.Join(", ", m.Actual)}]")));
            text.Append('.');
        }

        return text.ToString();
    }
}
