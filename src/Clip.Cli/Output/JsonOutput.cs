using System.Text.Encodings.Web;
using System.Text.Json;

namespace Clip.Cli.Output;

/// <summary>The JSON settings of every <c>--json</c> output: camelCase names, non-ASCII text kept readable.</summary>
public static class JsonOutput
{
    /// <summary>The serializer settings.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
