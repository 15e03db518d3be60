using System.Text;
using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>Writes the emoji dataset index as CSV (RFC 4180) and as JSON Lines.</summary>
public static class EmojiDatasetWriter
{
    /// <summary>The separator between tags in the CSV <c>tags</c> column.</summary>
    public const char TagSeparator = '|';

    /// <summary>The CSV columns, in order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
        ["image", "label", "tags", "group", "subgroup", "style", "split", "hexcode", "base_hexcode", "emoji"];

    /// <summary>Writes a UTF-8 CSV file with a header row; tags are joined with <see cref="TagSeparator"/>.</summary>
    /// <param name="path">The output file.</param>
    /// <param name="records">The rows.</param>
    public static void WriteCsv(string path, IEnumerable<EmojiRecord> records)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(',', CsvColumns));
        foreach (EmojiRecord record in records)
        {
            string[] fields =
            [
                record.Image, record.Label, string.Join(TagSeparator, record.Tags), record.Group, record.Subgroup,
                record.Style.ToName(), SplitName(record.Split), record.Hexcode, record.BaseHexcode, record.Emoji,
            ];
            writer.WriteLine(string.Join(',', fields.Select(Quote)));
        }
    }

    /// <summary>Writes one JSON object per line with the same fields as the CSV; tags are an array.</summary>
    /// <param name="path">The output file.</param>
    /// <param name="records">The rows.</param>
    public static void WriteJsonLines(string path, IEnumerable<EmojiRecord> records)
    {
        using var stream = File.Create(path);
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (EmojiRecord record in records)
        {
            using (var json = new Utf8JsonWriter(stream, options))
            {
                json.WriteStartObject();
                json.WriteString("image", record.Image);
                json.WriteString("label", record.Label);
                json.WriteStartArray("tags");
                foreach (string tag in record.Tags)
                {
                    json.WriteStringValue(tag);
                }

                json.WriteEndArray();
                json.WriteString("group", record.Group);
                json.WriteString("subgroup", record.Subgroup);
                json.WriteString("style", record.Style.ToName());
                json.WriteString("split", SplitName(record.Split));
                json.WriteString("hexcode", record.Hexcode);
                json.WriteString("base_hexcode", record.BaseHexcode);
                json.WriteString("emoji", record.Emoji);
                json.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Returns the lower-case split name used in the files (<c>seen</c>, <c>unseen</c>).</summary>
    /// <param name="split">The split.</param>
    public static string SplitName(EmojiSplit split) => split == EmojiSplit.Seen ? "seen" : "unseen";

    private static string Quote(string field)
    {
        bool needsQuotes = field.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        return needsQuotes ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}
