using System.Collections;
using System.Text.Json;

namespace Clip.Data;

/// <summary>
/// A file of (image, caption) records in CSV, TSV or JSON Lines, read lazily: every enumeration streams the
/// file from disk again, so a large file never has to fit in memory and each training epoch can re-read it.
/// </summary>
/// <remarks>
/// <para>
/// CSV and TSV files start with a header row that names the columns; fields follow RFC 4180's quoting
/// (a quoted field may hold the delimiter, line breaks and doubled quotes). JSON Lines files hold one JSON
/// object per line; blank lines are skipped.
/// </para>
/// <para>
/// Image paths may be absolute or relative; relative paths are resolved against the folder of the data file.
/// Errors name the file and the data row (CSV, TSV: 1-based, the header not counted) or line (JSON Lines),
/// and the line on which the record starts.
/// </para>
/// </remarks>
public sealed class CaptionedDataset : IEnumerable<CaptionedImage>
{
    private const char CommaDelimiter = ',';
    private const char TabDelimiter = '\t';

    private CaptionedDataset(string path, CaptionedFileFormat format, CaptionedDatasetOptions options)
    {
        FilePath = path;
        Format = format;
        Options = options;
        BaseDirectory = System.IO.Path.GetDirectoryName(path) ?? Directory.GetCurrentDirectory();
    }

    /// <summary>Full path of the data file.</summary>
    public string FilePath { get; }

    /// <summary>Format the file is read as.</summary>
    public CaptionedFileFormat Format { get; }

    /// <summary>Columns or keys and reading options.</summary>
    public CaptionedDatasetOptions Options { get; }

    /// <summary>Folder against which relative image paths are resolved: the folder of the data file.</summary>
    public string BaseDirectory { get; }

    /// <summary>
    /// Opens a captioned data file. Only the file's existence and format are checked here; the records are
    /// read, and their columns and image files checked, when the dataset is enumerated.
    /// </summary>
    /// <param name="path">The CSV, TSV or JSON Lines file.</param>
    /// <param name="options">Columns or keys to read; <see langword="null"/> uses the defaults (<c>filepath</c>, <c>title</c>).</param>
    /// <exception cref="FileNotFoundException">The data file does not exist.</exception>
    /// <exception cref="ArgumentException">No format is given and the extension is not one of the known ones.</exception>
    public static CaptionedDataset Open(string path, CaptionedDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new CaptionedDatasetOptions();
        string fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Captioned data file '{fullPath}' was not found.", fullPath);
        }

        CaptionedFileFormat format = options.Format ?? InferFormat(fullPath);
        return new CaptionedDataset(fullPath, format, options);
    }

    /// <summary>Reads every record into a list.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or lacks a configured column or key.</exception>
    /// <exception cref="FileNotFoundException">An image file is missing and <see cref="CaptionedDatasetOptions.RequireImageFiles"/> is set.</exception>
    public IReadOnlyList<CaptionedImage> ReadAll() => this.ToList();

    /// <summary>Streams the records from the file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or lacks a configured column or key.</exception>
    /// <exception cref="FileNotFoundException">An image file is missing and <see cref="CaptionedDatasetOptions.RequireImageFiles"/> is set.</exception>
    public IEnumerator<CaptionedImage> GetEnumerator() => Format switch
    {
        CaptionedFileFormat.Csv => ReadDelimited(CommaDelimiter).GetEnumerator(),
        CaptionedFileFormat.Tsv => ReadDelimited(TabDelimiter).GetEnumerator(),
        CaptionedFileFormat.JsonLines => ReadJsonLines().GetEnumerator(),
        _ => throw new InvalidOperationException($"Unknown captioned file format {Format}."),
    };

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static CaptionedFileFormat InferFormat(string path)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => CaptionedFileFormat.Csv,
            ".tsv" => CaptionedFileFormat.Tsv,
            ".jsonl" or ".ndjson" => CaptionedFileFormat.JsonLines,
            _ => throw new ArgumentException(
                $"Cannot infer the format of '{path}' from its extension '{extension}'; use .csv, .tsv, .jsonl or .ndjson, or set {nameof(CaptionedDatasetOptions)}.{nameof(CaptionedDatasetOptions.Format)}.",
                nameof(path)),
        };
    }

    private IEnumerable<CaptionedImage> ReadDelimited(char delimiter)
    {
        using var reader = new StreamReader(FilePath, detectEncodingFromByteOrderMarks: true);
        using IEnumerator<DelimitedRecord> records = DelimitedRecordReader.Read(reader, delimiter, FilePath).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{FilePath}: the file is empty; it must start with a header row naming the columns.");
        }

        IReadOnlyList<string> header = records.Current.Fields;
        int imageColumn = FindColumn(header, Options.ImagePathColumn, nameof(CaptionedDatasetOptions.ImagePathColumn));
        int captionColumn = FindColumn(header, Options.CaptionColumn, nameof(CaptionedDatasetOptions.CaptionColumn));
        int labelColumn = Options.LabelColumn is null ? -1 : FindColumn(header, Options.LabelColumn, nameof(CaptionedDatasetOptions.LabelColumn));

        int row = 0;
        while (records.MoveNext())
        {
            row++;
            DelimitedRecord record = records.Current;
            string location = $"{FilePath}, row {row} (line {record.LineNumber})";
            if (record.Fields.Count != header.Count)
            {
                throw new InvalidDataException(
                    $"{location}: expected {header.Count} fields as in the header row, but found {record.Fields.Count}; quote fields that contain the delimiter.");
            }

            Dictionary<string, string>? extra = null;
            for (int column = 0; column < header.Count; column++)
            {
                if (column != imageColumn && column != captionColumn && column != labelColumn)
                {
                    extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    extra[header[column]] = record.Fields[column];
                }
            }

            string imagePath = ResolveImagePath(record.Fields[imageColumn], location);
            string? label = labelColumn < 0 ? null : record.Fields[labelColumn];
            yield return new CaptionedImage(imagePath, record.Fields[captionColumn], label, extra);
        }
    }

    private int FindColumn(IReadOnlyList<string> header, string name, string option)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidDataException(
            $"{FilePath}: the header row has no column '{name}' ({nameof(CaptionedDatasetOptions)}.{option}); its columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
    }

    private IEnumerable<CaptionedImage> ReadJsonLines()
    {
        using var reader = new StreamReader(FilePath, detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseJsonRecord(line, $"{FilePath}, line {lineNumber}");
        }
    }

    private CaptionedImage ParseJsonRecord(string line, string location)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{location}: invalid JSON: {exception.Message}", exception);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{location}: expected a JSON object, but found a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            string imagePath = ResolveImagePath(RequireString(root, Options.ImagePathColumn, location), location);
            string caption = RequireString(root, Options.CaptionColumn, location);
            string? label = null;
            if (Options.LabelColumn is not null)
            {
                label = root.TryGetProperty(Options.LabelColumn, out JsonElement labelElement)
                    ? ScalarText(labelElement)
                    : throw new InvalidDataException($"{location}: the object has no key '{Options.LabelColumn}' ({nameof(CaptionedDatasetOptions)}.{nameof(CaptionedDatasetOptions.LabelColumn)}).");
            }

            Dictionary<string, string>? extra = null;
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (property.Name != Options.ImagePathColumn && property.Name != Options.CaptionColumn && property.Name != Options.LabelColumn)
                {
                    extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    extra[property.Name] = ScalarText(property.Value);
                }
            }

            return new CaptionedImage(imagePath, caption, label, extra);
        }
    }

    private static string RequireString(JsonElement root, string key, string location)
    {
        if (!root.TryGetProperty(key, out JsonElement element))
        {
            string keys = string.Join(", ", root.EnumerateObject().Select(p => $"'{p.Name}'"));
            throw new InvalidDataException($"{location}: the object has no key '{key}'; its keys are: {keys}.");
        }

        return element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new InvalidDataException($"{location}: the value of '{key}' must be a JSON string, but is a JSON {element.ValueKind.ToString().ToLowerInvariant()}.");
    }

    /// <summary>Text of a JSON value: a string's contents, or the raw JSON of any other value.</summary>
    private static string ScalarText(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();

    private string ResolveImagePath(string value, string location)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidDataException($"{location}: the image path is empty.");
        }

        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, value));
        if (Options.RequireImageFiles && !File.Exists(path))
        {
            throw new FileNotFoundException($"{location}: image file '{value}' was not found (resolved to '{path}').", path);
        }

        return path;
    }
}
