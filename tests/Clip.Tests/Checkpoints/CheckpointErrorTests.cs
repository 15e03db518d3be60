using System.IO.Compression;
using System.Text;
using Clip.Checkpoints;
using Clip.Modeling;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Checkpoints;

/// <summary>Truncated, corrupt, hostile and mismatching checkpoints fail before anything is copied, with messages that name the file.</summary>
public sealed class CheckpointErrorTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("clip-checkpoint-errors-").FullName;

    private static string StateDictFixture => Path.Combine(TestPaths.GoldenModels, "vit_tiny", "checkpoints", "state_dict.pt");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Open_RejectsTruncatedZip_NamingFile()
    {
        byte[] bytes = File.ReadAllBytes(StateDictFixture);
        string path = Write("truncated.pt", bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("zip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsStorageShorterThanDeclared()
    {
        string path = RewriteFixture("short-storage.pt", (name, bytes) => name.EndsWith("/data/0", StringComparison.Ordinal) ? bytes[..(bytes.Length - 4)] : bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains("data/0", error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsTruncatedPickle()
    {
        string path = RewriteFixture("truncated-pickle.pt", (name, bytes) => name.EndsWith("/data.pkl", StringComparison.Ordinal) ? bytes[..100] : bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsPickleCallingArbitraryGlobal_NamingIt()
    {
        // PROTO 2; GLOBAL posix.system; BINUNICODE 'touch pwned'; TUPLE1; REDUCE; STOP
        string marker = Path.Combine(folder, "pwned");
        var pickle = new List<byte> { 0x80, 0x02 };
        pickle.AddRange(Encoding.ASCII.GetBytes("cposix\nsystem\n"));
        byte[] command = Encoding.ASCII.GetBytes($"touch {marker}");
        pickle.Add((byte)'X');
        pickle.AddRange(BitConverter.GetBytes(command.Length));
        pickle.AddRange(command);
        pickle.AddRange([0x85, (byte)'R', (byte)'.']);
        string path = WriteArchive("hostile.pt", "hostile/", [.. pickle]);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains("'posix.system'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Open_RejectsTensorViewOutsideStorage()
    {
        // OrderedDict {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 4), 0, (8,), (1,), False, OrderedDict())}
        var pickle = new List<byte> { 0x80, 0x02 };
        pickle.AddRange(Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n)R("));
        AddString(pickle, "w");
        pickle.AddRange(Encoding.ASCII.GetBytes("ctorch._utils\n_rebuild_tensor_v2\n(("));
        AddString(pickle, "storage");
        pickle.AddRange(Encoding.ASCII.GetBytes("ctorch\nFloatStorage\n"));
        AddString(pickle, "0");
        AddString(pickle, "cpu");
        pickle.AddRange([(byte)'K', 4, (byte)'t', (byte)'Q', (byte)'K', 0, (byte)'K', 8, 0x85, (byte)'K', 1, 0x85, 0x89]);
        pickle.AddRange(Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n)Rt"));
        pickle.AddRange([(byte)'R', (byte)'u', (byte)'.']);
        string path = WriteArchive("overrun.pt", "overrun/", [.. pickle], ("data/0", new byte[16]));

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains("reaches element 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsUnknownFormat_NamingExpectedFormats()
    {
        string path = Write("notes.txt", Encoding.ASCII.GetBytes("these are not weights"));

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains("unknown format", error.Message, StringComparison.Ordinal);
        Assert.Contains("safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsLegacyPickleStream()
    {
        string path = Write("legacy.pt", [0x80, 0x02, 0x8a, 0x0a]);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains("legacy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsSafeTensorsHeaderBeyondFile()
    {
        byte[] bytes = new byte[16];
        BitConverter.GetBytes(1000UL).CopyTo(bytes, 0);
        bytes[8] = (byte)'{';
        string path = Write("broken.safetensors", bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsFolderWithoutConfig()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => PretrainedCheckpoint.Open(folder));

        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ThrowsFileNotFound_ForMissingPath()
    {
        Assert.Throws<FileNotFoundException>(() => PretrainedCheckpoint.Open(Path.Combine(folder, "absent.pt")));
    }

    [Fact]
    public void FromPretrained_ListsMissingUnexpectedAndMismatchedKeys_Together()
    {
        using var scope = NewDisposeScope();
        ClipConfig config = SmallConfigs.VisionTransformer();
        using ClipModel source = ClipModel.Create(config);
        Dictionary<string, Tensor> state = source.state_dict();
        state.Remove("visual.ln_post.bias");
        state["extra.weight"] = zeros(3);
        state["ln_final.weight"] = zeros(config.Text.Width + 1);
        string path = Path.Combine(folder, "mismatch.safetensors");
        SafeTensors.Save(path, state);

        var error = Assert.Throws<StateDictMismatchException>(() =>
            ClipModel.FromPretrained(path, new PretrainedLoadOptions { Config = config }));

        Assert.Equal(["visual.ln_post.bias"], error.MissingKeys);
        Assert.Equal(["extra.weight"], error.UnexpectedKeys);
        ShapeMismatch mismatch = Assert.Single(error.ShapeMismatches);
        Assert.Equal("ln_final.weight", mismatch.Key);
        Assert.Equal([config.Text.Width], mismatch.Expected);
        Assert.Equal([config.Text.Width + 1L], mismatch.Actual);
        Assert.Contains("visual.ln_post.bias", error.Message, StringComparison.Ordinal);
        Assert.Contains("extra.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("ln_final.weight expected [64]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPretrained_ReportsMissingQueryKeyValueProjection()
    {
        using var scope = NewDisposeScope();
        ClipConfig config = SmallConfigs.VisionTransformer();
        using ClipModel source = ClipModel.Create(config);
        string saved = Path.Combine(folder, "hf");
        source.SavePretrained(saved);
        string weights = Path.Combine(saved, PretrainedCheckpoint.SafeTensorsFileName);
        Dictionary<string, Tensor> tensors = SafeTensors.Load(weights);
        tensors.Remove("text_model.encoder.layers.1.self_attn.k_proj.weight");
        SafeTensors.Save(weights, tensors);

        var error = Assert.Throws<StateDictMismatchException>(() => ClipModel.FromPretrained(saved));

        Assert.Contains("text_model.encoder.layers.1.self_attn.k_proj.weight", error.MissingKeys);
        Assert.Contains("transformer.resblocks.1.attn.in_proj_weight", error.MissingKeys);
    }

    private static void AddString(List<byte> pickle, string value)
    {
        pickle.Add((byte)'X');
        pickle.AddRange(BitConverter.GetBytes(value.Length));
        pickle.AddRange(Encoding.ASCII.GetBytes(value));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteArchive(string name, string root, byte[] pickle, params (string Name, byte[] Bytes)[] records)
    {
        string path = Path.Combine(folder, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string entryName, byte[] bytes) in records.Prepend(("data.pkl", pickle)))
        {
            using Stream stream = zip.CreateEntry(root + entryName, CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }

        return path;
    }

    private string RewriteFixture(string name, Func<string, byte[], byte[]> rewrite)
    {
        string path = Path.Combine(folder, name);
        using ZipArchive source = ZipFile.OpenRead(StateDictFixture);
        using ZipArchive target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (ZipArchiveEntry entry in source.Entries)
        {
            using var buffer = new MemoryStream();
            using (Stream input = entry.Open())
            {
                input.CopyTo(buffer);
            }

            using Stream output = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            output.Write(rewrite(entry.FullName, buffer.ToArray()));
        }

        return path;
    }
}
