using System.Text.Json;

namespace Clip.Cli.Output;

/// <summary>Writes embeddings as JSON Lines: one <c>{"id": …, "embedding": [...]}</c> object per line.</summary>
public static class EmbeddingJsonLinesWriter
{
    /// <summary>Writes one line per row.</summary>
    /// <param name="stream">The destination; left open.</param>
    /// <param name="ids">The row identifiers (an image path or the text itself).</param>
    /// <param name="values">The embeddings in row-major order, <paramref name="ids"/>.Count rows of <paramref name="columns"/> values.</param>
    /// <param name="columns">The embedding width.</param>
    /// <exception cref="ArgumentException">The number of values does not equal ids × columns.</exception>
    public static void Write(Stream stream, IReadOnlyList<string> ids, ReadOnlySpan<float> values, int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(ids);
        if ((long)ids.Count * columns != values.Length)
        {
            throw new ArgumentException($"There are {values.Length} values, but {ids.Count} rows × {columns} columns need {(long)ids.Count * columns}.", nameof(values));
        }

        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (int row = 0; row < ids.Count; row++)
        {
            using (var json = new Utf8JsonWriter(stream, options))
            {
                json.WriteStartObject();
                json.WriteString("id", ids[row]);
                json.WriteStartArray("embedding");
                foreach (float value in values.Slice(row * columns, columns))
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }
    }
}
