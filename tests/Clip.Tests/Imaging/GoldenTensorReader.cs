using System.Buffers.Binary;
using System.Text.Json;

namespace Clip.Tests.Imaging;

/// <summary>
/// A minimal safetensors reader for the preprocessing fixtures: F32 tensors only, no validation beyond
/// what the tests need.
/// </summary>
/// TODO: replace with Clip.Checkpoints.SafeTensors once that reader is on this branch.
internal static class GoldenTensorReader
{
    private const int HeaderLengthBytes = 8;

    /// <summary>Reads the F32 tensor <paramref name="name"/> of the file at <paramref name="path"/> as a flat array.</summary>
    public static float[] ReadFloat32(string path, string name)
    {
        byte[] file = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(HeaderLengthBytes, (int)headerLength));
        if (!header.RootElement.TryGetProperty(name, out JsonElement entry))
        {
            throw new KeyNotFoundException($"Tensor '{name}' not found in '{path}'.");
        }

        string dtype = entry.GetProperty("dtype").GetString()!;
        if (dtype != "F32")
        {
            throw new NotSupportedException($"Tensor '{name}' in '{path}' is {dtype}; this reader handles F32 only.");
        }

        JsonElement offsets = entry.GetProperty("data_offsets");
        long begin = HeaderLengthBytes + headerLength + offsets[0].GetInt64();
        long end = HeaderLengthBytes + headerLength + offsets[1].GetInt64();
        var values = new float[(end - begin) / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(begin + i * sizeof(float)), sizeof(float)));
        }

        return values;
    }
}
