using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON that
/// map each tensor name to its dtype, shape and byte range, then the raw little-endian row-major tensor data.
/// </summary>
/// <remarks>
/// Reading validates the whole header against the file size before any tensor is allocated, so a truncated or
/// hostile file fails with an <see cref="InvalidDataException"/> that names the file and the problem.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Largest header accepted, in bytes; real headers of billion-parameter models are a few hundred KB.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Bytes of the length prefix.</summary>
    private const int LengthPrefixBytes = 8;

    /// <summary>Headers are padded with spaces to a multiple of this, so that tensor data starts aligned.</summary>
    private const int HeaderAlignment = 8;

    /// <summary>The reserved header key of the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and validates the header of a safetensors file without reading tensor data.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The entries in header order and the metadata.</returns>
    /// <exception cref="InvalidDataException">The header is malformed or inconsistent with the file size.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Loads every tensor of a safetensors file into CPU memory (or onto a device).</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Target device; null means CPU.</param>
    /// <returns>Name to tensor, enumerated in header order; the caller owns and disposes the tensors.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null) => LoadWithMetadata(path, device).Tensors;

    /// <summary>Loads every tensor of a safetensors file and its metadata.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Target device; null means CPU.</param>
    /// <returns>Tensors (caller-owned, enumerated in header order) and the metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        var tensors = new Dictionary<string, Tensor>(header.Entries.Count);
        try
        {
            foreach (var entry in header.Entries)
            {
                tensors.Add(entry.Name, ReadTensor(stream, header.DataStart, entry, path, device));
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return (tensors, header.Metadata);
    }

    /// <summary>Writes tensors to a safetensors file in the given order, with a space-padded header.</summary>
    /// <param name="path">Destination; replaced if it exists.</param>
    /// <param name="tensors">Names and tensors (any device, any layout; copied to the CPU as contiguous data).</param>
    /// <param name="metadata">Optional string metadata stored under <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A name repeats or is reserved, or a dtype has no safetensors code.</exception>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, tensor) in list)
        {
            if (name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' is reserved or repeated.", nameof(tensors));
            }

            _ = SafeTensorsDType.FromScalarType(tensor.dtype, name);
        }

        byte[] headerBytes = BuildHeader(list, metadata);
        using var stream = File.Create(path);
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerBytes.Length);
        stream.Write(prefix);
        stream.Write(headerBytes);
        foreach (var (_, tensor) in list)
        {
            WriteTensor(stream, tensor);
        }
    }

    /// <summary>Writes a name-to-tensor dictionary in its enumeration order.</summary>
    /// <param name="path">Destination; replaced if it exists.</param>
    /// <param name="tensors">Names and tensors.</param>
    /// <param name="metadata">Optional string metadata.</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Save(path, tensors.Select(pair => (pair.Key, pair.Value)), metadata);
    }

    private static SafeTensorsHeader ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < LengthPrefixBytes)
        {
            throw Invalid(path, $"the file has {fileLength} bytes, fewer than the {LengthPrefixBytes}-byte header length");
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        stream.ReadExactly(prefix);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > (ulong)MaxHeaderBytes)
        {
            throw Invalid(path, $"the header length {declared} exceeds the limit of {MaxHeaderBytes} bytes");
        }

        long headerLength = (long)declared;
        if (headerLength > fileLength - LengthPrefixBytes)
        {
            throw Invalid(path, $"the header length {headerLength} exceeds the {fileLength - LengthPrefixBytes} bytes after the length prefix");
        }

        byte[] headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string json;
        try
        {
            json = StrictUtf8.GetString(headerBytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw Invalid(path, "the header is not valid UTF-8", exception);
        }

        long dataStart = LengthPrefixBytes + headerLength;
        return SafeTensorsHeaderParser.Parse(json, fileLength - dataStart, dataStart, path);
    }

    private static Tensor ReadTensor(Stream stream, long dataStart, SafeTensorsEntry entry, string path, Device? device)
    {
        if (!BitConverter.IsLittleEndian && entry.DType.ElementSize > 1)
        {
            throw new PlatformNotSupportedException($"Reading '{path}' needs a little-endian CPU: safetensors data is little-endian.");
        }

        var tensor = empty(entry.Shape.ToArray(), dtype: entry.DType.ScalarType);
        try
        {
            stream.Position = dataStart + entry.Begin;
            tensor.ReadBytesFromStream(stream);
            if (device is not null && device.type != DeviceType.CPU)
            {
                var moved = tensor.to(device);
                tensor.Dispose();
                return moved;
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static void WriteTensor(Stream stream, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var data = tensor.detach().cpu().contiguous();
        data.WriteBytesToStream(stream);
    }

    private static byte[] BuildHeader(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                var dtype = SafeTensorsDType.FromScalarType(tensor.dtype, name);
                long byteCount = tensor.numel() * dtype.ElementSize;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype.Code);
                writer.WriteStartArray("shape");
                foreach (long dimension in tensor.shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + byteCount);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += byteCount;
            }

            writer.WriteEndObject();
        }

        int padding = (int)((HeaderAlignment - buffer.Length % HeaderAlignment) % HeaderAlignment);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    internal static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"Invalid safetensors file '{path}': {problem}.", inner);
}
