using System.Text;
using System.Text.Json;

namespace Clip.Cli.Inference;

/// <summary>
/// Reads rows of named string fields from a CSV file (RFC 4180: a header row, quoted fields may contain commas,
/// quotes and line breaks) or a JSON Lines file (one object per line; array fields are joined with <c>|</c>).
/// </summary>
public static class TabularFile
{
    /// <summary>Reads every row; the format follows the extension (<c>.jsonl</c> or anything else as CSV).</summary>
    /// <param name="path">The file.</param>
    /// <returns>Rows as field dictionaries, in file order.</returns>
    /// <exception cref="CliException">The file is missing or malformed; the message names the line.</exception>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"Data file '{path}' was not found.");
        }

        return path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? ReadJsonLines(path) : ReadCsv(path);
    }

    /// <summary>Returns a column's value, or fails with a message that lists the columns present.</summary>
    /// <param name="row">The row.</param>
    /// <param name="column">The column name.</param>
    /// <param name="path">The file, for the message.</param>
    /// <exception cref="CliException">The column is missing.</exception>
    public static string Field(IReadOnlyDictionary<string, string> row, string column, string path) =>
        row.TryGetValue(column, out string? value)
            ? value
            : throw new CliException($"Column '{column}' is missing in '{path}'; the columns are: {string.Join(", ", row.Keys)}.");

    private static List<IReadOnlyDictionary<string, string>> ReadJsonLines(string path)
    {
        var rows = new List<IReadOnlyDictionary<string, string>>();
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
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    row[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Array => string.Join('|', property.Value.EnumerateArray().Select(item => item.ToString())),
                        _ => property.Value.ToString(),
                    };
                }

                rows.Add(row);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException)
            {
                throw new CliException($"'{path}' line {lineNumber} is not a JSON object: {exception.Message}", innerException: exception);
            }
        }

        return rows;
    }

    private static List<IReadOnlyDictionary<string, string>> ReadCsv(string path)
    {
        List<List<string>> records = ParseCsv(File.ReadAllText(path), path);
        if (records.Count == 0)
        {
            throw new CliException($"'{path}' is empty: expected a header row.");
        }

        List<string> header = records[0];
        var rows = new List<IReadOnlyDictionary<string, string>>();
        for (int index = 1; index < records.Count; index++)
        {
            List<string> fields = records[index];
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Count)
            {
                throw new CliException($"'{path}' record {index + 1} has {fields.Count} fields, but the header has {header.Count}.");
            }

            rows.Add(header.Zip(fields).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal));
        }

        return rows;
    }

    /// <summary>Splits CSV text into records of fields, honouring quotes.</summary>
    internal static List<List<string>> ParseCsv(string text, string path)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new CliException($"'{path}' ends inside a quoted field: a closing quote is missing.");
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }
}
