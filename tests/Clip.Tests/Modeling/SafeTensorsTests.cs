using System.Buffers.Binary;
using System.Text;
using Clip.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clip-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SaveLoad_EveryDtype_RoundTrips()
    {
        using var scope = NewDisposeScope();
        var tensors = new List<(string Name, Tensor Tensor)>
        {
            ("z.f32", randn(2, 3)),
            ("a.f64", randn(4, dtype: ScalarType.Float64)),
            ("m.f16", randn(3, 1).to(ScalarType.Float16)),
            ("b.bf16", randn(5).to(ScalarType.BFloat16)),
            ("scalar.i64", tensor(7L)),
            ("i32", tensor(new[] { 1, -2, 3 })),
            ("u8", tensor(new byte[] { 0, 255 })),
            ("bool", tensor(new[] { true, false, true })),
            ("empty", zeros(0, 4)),
        };
        string path = Path.Combine(_folder, "all.safetensors");

        SafeTensors.Save(path, tensors);
        var loaded = SafeTensors.Load(path);

        Assert.Equal(tensors.Select(entry => entry.Name), loaded.Keys);
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.dtype, loaded[name].dtype);
            Assert.Equal(expected.shape, loaded[name].shape);
            Assert.True(expected.equal(loaded[name]).all().item<bool>(), $"'{name}' changed in the round trip.");
        }
    }

    [Fact]
    public void Save_Header_IsPaddedToEightBytes()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_folder, "padded.safetensors");

        SafeTensors.Save(path, new[] { ("x", randn(3)) }, new Dictionary<string, string> { ["format"] = "pt" });
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + 12, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.EndsWith("}", header.TrimEnd(' '));
    }

    [Fact]
    public void LoadWithMetadata_ReturnsMetadata()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_folder, "metadata.safetensors");
        SafeTensors.Save(path, new[] { ("x", randn(3)) }, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });

        var (tensors, metadata) = SafeTensors.LoadWithMetadata(path);

        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("ünïcode", metadata["note"]);
        Assert.Single(tensors);
    }

    [Fact]
    public void Load_ReferenceFixture_ReadsScalarsAndInt64()
    {
        string folder = GoldenFixture.FolderNames().Select(name => Path.Combine(TestPaths.GoldenModels, name)).First();
        string path = Path.Combine(folder, "state_dict.safetensors");

        var header = SafeTensors.ReadHeader(path);
        var tensors = SafeTensors.Load(path);
        try
        {
            Assert.Equal(header.Entries.Select(entry => entry.Name), tensors.Keys);
            Assert.Empty(tensors["logit_scale"].shape);
            Assert.Equal(ScalarType.Float32, tensors["logit_scale"].dtype);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    public static TheoryData<string, byte[], string> MalformedFiles() => new()
    {
        { "short file", new byte[] { 1, 2, 3 }, "fewer than the 8-byte header length" },
        { "header over limit", Prefix(SafeTensors.MaxHeaderBytes + 1), "exceeds the limit" },
        { "header past end", Concat(Prefix(64), Ascii("{}")), "exceeds the 2 bytes" },
        { "invalid UTF-8", FileOf(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }), "not valid UTF-8" },
        { "invalid JSON", FileOf(Ascii("{\"a\":")), "not valid JSON" },
        { "array header", FileOf(Ascii("[]")), "not an object" },
        { "unknown dtype", FileOf(Ascii("{\"a\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}"), new byte[1]), "unsupported dtype 'F8'" },
        { "size mismatch", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}"), new byte[4]), "span 4 bytes" },
        { "negative dimension", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}"), new byte[4]), "not a non-negative integer" },
        { "past data end", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"), new byte[4]), "extends past the 4-byte data section" },
        { "overlap", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"), new byte[8]), "overlaps" },
        { "gap", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"), new byte[8]), "gap of 4 bytes" },
        { "trailing bytes", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"), new byte[8]), "cover 4 bytes but the data section has 8" },
        { "end before begin", FileOf(Ascii("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}"), new byte[4]), "end before begin" },
        { "repeated key", FileOf(Ascii("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}"), new byte[2]), "repeats the key 'a'" },
        { "metadata not strings", FileOf(Ascii("{\"__metadata__\":{\"n\":1}}")), "not a string" },
        { "missing offsets", FileOf(Ascii("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}"), new byte[1]), "no array 'data_offsets'" },
        { "huge shape", FileOf(Ascii("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}"), new byte[8]), "too large" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Load_MalformedFile_NamesFileAndProblem(string caseName, byte[] content, string problem)
    {
        string path = Path.Combine(_folder, caseName.Replace(' ', '_') + ".safetensors");
        File.WriteAllBytes(path, content);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Save_RepeatedName_IsRejected()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => SafeTensors.Save(Path.Combine(_folder, "x.safetensors"), new[] { ("a", randn(1)), ("a", randn(1)) }));

        Assert.Contains("'a'", error.Message);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Prefix(long length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)length);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    private static byte[] FileOf(byte[] header, byte[]? data = null) => Concat(Prefix(header.Length), header, data ?? Array.Empty<byte>());
}
