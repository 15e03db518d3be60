using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>Reads the JSON Lines index that <see cref="EmojiDatasetWriter"/> writes.</summary>
public static class EmojiDatasetReader
{
    /// <summary>Reads every record of an <c>emoji.jsonl</c> file.</summary>
    /// <param name="path">The index file.</param>
    /// <returns>The records in file order; image paths stay relative to the file's folder.</returns>
    /// <exception cref="InvalidDataException">A line is not a record with the expected fields; the message gives the line number.</exception>
    public static IReadOnlyList<EmojiRecord> ReadJsonLines(string path)
    {
        var records = new List<EmojiRecord>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                JsonElement row = document.RootElement;
                records.Add(new EmojiRecord(
                    Image: Required(row, "image"),
                    Hexcode: Required(row, "hexcode"),
                    BaseHexcode: Required(row, "base_hexcode"),
                    Emoji: Required(row, "emoji"),
                    Label: Required(row, "label"),
                    Tags: row.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString() ?? string.Empty).ToArray(),
                    Group: Required(row, "group"),
                    Subgroup: Required(row, "subgroup"),
                    Style: ParseStyle(Required(row, "style")),
                    Split: ParseSplit(Required(row, "split"))));
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber} is not an emoji record: {exception.Message}", exception);
            }
        }

        return records;
    }

    private static string Required(JsonElement row, string name) =>
        row.GetProperty(name).GetString() ?? throw new FormatException($"Field '{name}' is null.");

    private static EmojiStyle ParseStyle(string name) => name switch
    {
        "google" => EmojiStyle.Google,
        "twitter" => EmojiStyle.Twitter,
        _ => throw new FormatException($"Style '{name}' is unknown; expected google or twitter."),
    };

    private static EmojiSplit ParseSplit(string name) => name switch
    {
        "seen" => EmojiSplit.Seen,
        "unseen" => EmojiSplit.Unseen,
        _ => throw new FormatException($"Split '{name}' is unknown; expected seen or unseen."),
    };
}
