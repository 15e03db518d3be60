using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clip.Evaluation;

/// <summary>The JSON settings shared by every evaluation result: camelCase names, indented, enums as names.</summary>
internal static class EvaluationJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serializes <paramref name="value"/> with the shared settings.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Formats a fraction in [0, 1] as a percentage with two decimals, for Markdown tables.</summary>
    public static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "n/a" : (fraction * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>Escapes the characters that would break a Markdown table cell.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
