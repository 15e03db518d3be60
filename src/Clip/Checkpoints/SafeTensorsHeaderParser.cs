using System.Text.Json;

namespace Clip.Checkpoints;

/// <summary>Parses and validates the JSON header of a safetensors file against the size of its data section.</summary>
internal static class SafeTensorsHeaderParser
{
    private const int OffsetCount = 2;

    public static SafeTensorsHeader Parse(string json, long dataLength, long dataStart, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException exception)
        {
            throw SafeTensors.Invalid(path, $"the header is not valid JSON ({exception.Message})", exception);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw SafeTensors.Invalid(path, $"the header is a JSON {document.RootElement.ValueKind}, not an object");
            }

            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw SafeTensors.Invalid(path, $"the header repeats the key '{property.Name}'");
                }

                if (property.Name == SafeTensors.MetadataKey)
                {
                    ReadMetadata(property.Value, metadata, path);
                }
                else
                {
                    entries.Add(ReadEntry(property.Name, property.Value, path));
                }
            }

            CheckLayout(entries, dataLength, path);
            return new SafeTensorsHeader(entries, metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw SafeTensors.Invalid(path, $"'{SafeTensors.MetadataKey}' is a JSON {element.ValueKind}, not an object of strings");
        }

        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw SafeTensors.Invalid(path, $"metadata value '{item.Name}' is a JSON {item.Value.ValueKind}, not a string");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw SafeTensors.Invalid(path, $"the metadata repeats the key '{item.Name}'");
            }
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' is a JSON {element.ValueKind}, not an object");
        }

        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' has no string 'dtype'");
        }

        string code = dtypeElement.GetString()!;
        var dtype = SafeTensorsDType.FromCode(code)
            ?? throw SafeTensors.Invalid(path, $"entry '{name}' has the unsupported dtype '{code}' (supported: {string.Join(", ", SafeTensorsDType.Known.Select(known => known.Code))})");

        var shape = ReadIntegers(element, "shape", name, path);
        var offsets = ReadIntegers(element, "data_offsets", name, path);
        if (offsets.Count != OffsetCount)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' has {offsets.Count} data_offsets, expected [begin, end]");
        }

        long begin = offsets[0], end = offsets[1];
        if (end < begin)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' has data_offsets [{begin}, {end}] with end before begin");
        }

        long expectedBytes = dtype.ElementSize;
        try
        {
            foreach (long dimension in shape)
            {
                expectedBytes = checked(expectedBytes * dimension);
            }
        }
        catch (OverflowException exception)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' has a shape [{string.Join(", ", shape)}] too large to address", exception);
        }

        if (expectedBytes != end - begin)
        {
            throw SafeTensors.Invalid(
                path,
                $"entry '{name}' has shape [{string.Join(", ", shape)}] of {dtype.Code} ({expectedBytes} bytes) but data_offsets [{begin}, {end}] span {end - begin} bytes");
        }

        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static List<long> ReadIntegers(JsonElement element, string property, string name, string path)
    {
        if (!element.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw SafeTensors.Invalid(path, $"entry '{name}' has no array '{property}'");
        }

        var values = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
            {
                throw SafeTensors.Invalid(path, $"entry '{name}' has a '{property}' value {item.GetRawText()} that is not a non-negative integer");
            }

            values.Add(value);
        }

        return values;
    }

    /// <summary>Requires the byte ranges, sorted by start, to tile the data section exactly.</summary>
    private static void CheckLayout(List<SafeTensorsEntry> entries, long dataLength, string path)
    {
        long position = 0;
        foreach (var entry in entries.OrderBy(entry => entry.Begin).ThenBy(entry => entry.End))
        {
            if (entry.Begin < position)
            {
                throw SafeTensors.Invalid(path, $"the data of '{entry.Name}' [{entry.Begin}, {entry.End}] overlaps the previous tensor, which ends at {position}");
            }

            if (entry.Begin > position)
            {
                throw SafeTensors.Invalid(path, $"there is a gap of {entry.Begin - position} bytes before the data of '{entry.Name}' at {entry.Begin}");
            }

            if (entry.End > dataLength)
            {
                throw SafeTensors.Invalid(path, $"the data of '{entry.Name}' [{entry.Begin}, {entry.End}] extends past the {dataLength}-byte data section");
            }

            position = entry.End;
        }

        if (position != dataLength)
        {
            throw SafeTensors.Invalid(path, $"the tensors cover {position} bytes but the data section has {dataLength}");
        }
    }
}
