using System.Text.Json;
using System.Text.Json.Nodes;
using Clip.Text;

namespace Clip.Checkpoints;

/// <summary>
/// The tokenizer settings of a transformers CLIP folder (<c>tokenizer_config.json</c>, read by
/// <c>CLIPTokenizer</c>) that change the ids of a tokenized row: the pad token and the row length.
/// </summary>
/// <param name="PadToken">The pad token's text; null when the file names none.</param>
/// <param name="ModelMaxLength">The row length transformers truncates and pads to (<c>model_max_length</c>); null when the file gives none.</param>
public sealed record HuggingFaceTokenizerConfig(string? PadToken, int? ModelMaxLength)
{
    /// <summary>File name of the tokenizer settings in a transformers model folder.</summary>
    public const string FileName = "tokenizer_config.json";

    /// <summary>
    /// The pad token of transformers' <c>CLIPTokenizer</c> when <see cref="FileName"/> names none (transformers
    /// 4.x): the end token.
    /// </summary>
    public const string DefaultPadToken = ClipVocabulary.EndOfTextToken;

    // Decoding turns invalid UTF-8 into U+FFFD, as the reference's decode does.
    private const string DecodeErrors = "replace";

    /// <summary>Creates the settings that this library writes beside a saved model.</summary>
    /// <param name="contextLength">The model's context length, written as <c>model_max_length</c>.</param>
    /// <returns>The settings, with the end token as pad token.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextLength"/> is not positive.</exception>
    public static HuggingFaceTokenizerConfig ForContextLength(int contextLength) =>
        contextLength > 0
            ? new(DefaultPadToken, contextLength)
            : throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "The context length must be positive.");

    /// <summary>Reads a <c>tokenizer_config.json</c>; a token may be a string or an object with <c>content</c>, as transformers versions wrote them.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="CheckpointFormatException">The file is not a JSON object, or a field has the wrong type.</exception>
    public static HuggingFaceTokenizerConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            JsonObject json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CheckpointFormatException(path, "expected a JSON object of tokenizer settings");
            string? padToken = json["pad_token"] switch
            {
                null => null,
                JsonValue value => value.GetValue<string>(),
                JsonObject token when token["content"] is JsonValue content => content.GetValue<string>(),
                JsonNode other => throw new CheckpointFormatException(path, $"'pad_token' is {other.ToJsonString()}; expected a string or an object with 'content'"),
            };

            // transformers writes a huge integer (1e30) for "no limit", so a value beyond int is no limit.
            int? maxLength = json["model_max_length"] is JsonValue length && length.TryGetValue(out int parsed) ? parsed : null;
            return new HuggingFaceTokenizerConfig(padToken, maxLength);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException(path, $"expected transformers tokenizer settings: {e.Message}", e);
        }
    }

    /// <summary>Writes the settings as a <c>tokenizer_config.json</c> that transformers' <c>CLIPTokenizer</c> reads.</summary>
    /// <param name="path">Destination file.</param>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = new JsonObject
        {
            ["tokenizer_class"] = "CLIPTokenizer",
            ["bos_token"] = ClipVocabulary.StartOfTextToken,
            ["eos_token"] = ClipVocabulary.EndOfTextToken,
            ["unk_token"] = ClipVocabulary.EndOfTextToken,
            ["errors"] = DecodeErrors,
            ["add_prefix_space"] = false,
        };
        if (PadToken is not null)
        {
            json["pad_token"] = PadToken;
        }

        if (ModelMaxLength is int maxLength)
        {
            json["model_max_length"] = maxLength;
        }

        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
