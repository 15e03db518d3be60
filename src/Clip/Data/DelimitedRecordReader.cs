using System.Text;

namespace Clip.Data;

/// <summary>One record of a delimited file and the line on which it starts (1-based).</summary>
internal readonly record struct DelimitedRecord(IReadOnlyList<string> Fields, int LineNumber);

/// <summary>
/// Streams the records of a delimited text file under RFC 4180's rules, with any single-character delimiter.
/// </summary>
/// <remarks>
/// A field enclosed in double quotes may contain the delimiter, line breaks and doubled quotes (<c>""</c>,
/// which read as one quote). Records end at LF or CRLF. Blank lines between records are skipped. A quote
/// inside an unquoted field is kept as a literal character, as most CSV readers do, but text after a
/// closing quote other than a delimiter or line break is rejected.
/// </remarks>
internal static class DelimitedRecordReader
{
    private const char Quote = '"';
    private const int EndOfStream = -1;

    /// <summary>Reads the records of <paramref name="reader"/> one by one.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="delimiter">The field separator, for example ',' or '\t'.</param>
    /// <param name="sourceName">Name of the source used in error messages, usually the file path.</param>
    /// <exception cref="InvalidDataException">A quoted field is not closed, or is followed by other text.</exception>
    public static IEnumerable<DelimitedRecord> Read(TextReader reader, char delimiter, string sourceName)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        bool recordHasContent = false;

        while (true)
        {
            int c = reader.Read();
            if (c == EndOfStream)
            {
                if (recordHasContent)
                {
                    fields.Add(field.ToString());
                    yield return new DelimitedRecord(fields.ToArray(), recordLine);
                }

                yield break;
            }

            if (c == '\r' && reader.Peek() == '\n')
            {
                continue;
            }

            if (c == '\n' || c == '\r')
            {
                if (recordHasContent)
                {
                    fields.Add(field.ToString());
                    yield return new DelimitedRecord(fields.ToArray(), recordLine);
                }

                fields.Clear();
                field.Clear();
                recordHasContent = false;
                line++;
                recordLine = line;
                continue;
            }

            recordHasContent = true;
            if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == Quote && field.Length == 0)
            {
                line = ReadQuotedField(reader, field, line, sourceName);
                if (reader.Peek() == EndOfStream || reader.Peek() == '\n' || reader.Peek() == '\r' || reader.Peek() == delimiter)
                {
                    continue;
                }

                throw new InvalidDataException(
                    $"{sourceName}, line {line}: unexpected character '{(char)reader.Peek()}' after a closing quote; a quoted field must be followed by the delimiter or the end of the line.");
            }
            else
            {
                field.Append((char)c);
            }
        }
    }

    /// <summary>Reads a quoted field after its opening quote, up to and including its closing quote.</summary>
    /// <returns>The line number after the field (quoted line breaks advance it).</returns>
    private static int ReadQuotedField(TextReader reader, StringBuilder field, int line, string sourceName)
    {
        int startLine = line;
        while (true)
        {
            int c = reader.Read();
            if (c == EndOfStream)
            {
                throw new InvalidDataException(
                    $"{sourceName}, line {startLine}: a quoted field is not closed before the end of the file; close it with '\"' and write quotes inside it as '\"\"'.");
            }

            if (c == Quote)
            {
                if (reader.Peek() == Quote)
                {
                    reader.Read();
                    field.Append(Quote);
                    continue;
                }

                return line;
            }

            if (c == '\n')
            {
                line++;
            }

            field.Append((char)c);
        }
    }
}
