using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Writes PyTorch zip archives from .NET so that the checkpoint benchmark can measure loading every format
/// without Python: a <c>torch.save</c> state dict (optionally nested as an OpenCLIP training checkpoint), or a
/// module tree of <c>__torch__</c> objects laid out as <c>torch.jit.save</c> stores its weights.
/// </summary>
/// <remarks>
/// Only the parts the library's loader reads are written: <c>data.pkl</c> (pickle protocol 2), one
/// <c>data/&lt;n&gt;</c> record per tensor, <c>version</c> and <c>byteorder</c>. The TorchScript-style archive
/// has an empty <c>constants.pkl</c> and no code, so it is not loadable by <c>torch.jit.load</c>.
/// </remarks>
internal static class TorchArchiveWriter
{
    /// <summary>Writes a torch.save-style archive of <paramref name="tensors"/> (an OrderedDict, or an OpenCLIP dict when <paramref name="trainingCheckpoint"/>).</summary>
    public static void WriteStateDict(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, bool trainingCheckpoint = false)
    {
        var pickle = new PickleBuilder();
        if (trainingCheckpoint)
        {
            pickle.EmptyDict().Mark();
            pickle.String("epoch").Integer(1);
            pickle.String("state_dict");
        }

        pickle.OrderedDict().Mark();
        for (int i = 0; i < tensors.Count; i++)
        {
            pickle.String((trainingCheckpoint ? "module." : "") + tensors[i].Name).TensorReference(i, tensors[i].Tensor);
        }

        pickle.SetItems();
        if (trainingCheckpoint)
        {
            pickle.SetItems();
        }

        WriteArchive(path, pickle.Finish(), tensors.Select(t => t.Tensor).ToList(), torchScript: false);
    }

    /// <summary>Writes a TorchScript-style archive: nested module objects whose attributes are the tensors.</summary>
    public static void WriteModuleTree(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var root = new ModuleNode();
        for (int i = 0; i < tensors.Count; i++)
        {
            string[] parts = tensors[i].Name.Split('.');
            ModuleNode node = root;
            foreach (string part in parts[..^1])
            {
                node = node.Child(part);
            }

            node.Attributes.Add((parts[^1], i, null));
        }

        var pickle = new PickleBuilder();
        WriteModule(pickle, root, "CLIP", tensors);
        WriteArchive(path, pickle.Finish(), tensors.Select(t => t.Tensor).ToList(), torchScript: true);
    }

    private static void WriteModule(PickleBuilder pickle, ModuleNode node, string className, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        pickle.Global("__torch__.bench", className).EmptyTuple().NewObj().EmptyDict().Mark();
        foreach ((string name, int index, ModuleNode? child) in node.Attributes)
        {
            pickle.String(name);
            if (child is null)
            {
                pickle.TensorReference(index, tensors[index].Tensor);
            }
            else
            {
                WriteModule(pickle, child, "Module", tensors);
            }
        }

        pickle.String("training").False();
        pickle.SetItems().Build();
    }

    private static void WriteArchive(string path, byte[] pickle, IReadOnlyList<Tensor> tensors, bool torchScript)
    {
        string root = Path.GetFileNameWithoutExtension(path) + "/";
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(zip, root + "data.pkl", pickle);
        if (torchScript)
        {
            Write(zip, root + "constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']);
        }

        for (int i = 0; i < tensors.Count; i++)
        {
            using var scope = NewDisposeScope();
            Tensor data = tensors[i].detach().cpu().contiguous();
            using Stream stream = zip.CreateEntry($"{root}data/{i}", CompressionLevel.NoCompression).Open();
            stream.Write(data.bytes);
        }

        Write(zip, root + "version", Encoding.ASCII.GetBytes("3\n"));
        Write(zip, root + "byteorder", Encoding.ASCII.GetBytes("little"));
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using Stream stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }

    private sealed class ModuleNode
    {
        public List<(string Name, int Index, ModuleNode? Child)> Attributes { get; } = [];

        public ModuleNode Child(string name)
        {
            foreach ((string existing, _, ModuleNode? child) in Attributes)
            {
                if (existing == name && child is not null)
                {
                    return child;
                }
            }

            var node = new ModuleNode();
            Attributes.Add((name, -1, node));
            return node;
        }
    }

    /// <summary>Emits pickle protocol 2 opcodes.</summary>
    private sealed class PickleBuilder
    {
        private readonly MemoryStream bytes = new();

        public PickleBuilder()
        {
            bytes.Write([0x80, 0x02]); // PROTO 2
        }

        public PickleBuilder Mark() => Op((byte)'(');

        public PickleBuilder EmptyDict() => Op((byte)'}');

        public PickleBuilder EmptyTuple() => Op((byte)')');

        public PickleBuilder SetItems() => Op((byte)'u');

        public PickleBuilder Build() => Op((byte)'b');

        public PickleBuilder NewObj() => Op(0x81);

        public PickleBuilder False() => Op(0x89);

        public PickleBuilder Global(string module, string name)
        {
            bytes.WriteByte((byte)'c');
            bytes.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleBuilder OrderedDict() => Global("collections", "OrderedDict").EmptyTuple().Op((byte)'R');

        public PickleBuilder String(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            bytes.WriteByte((byte)'X');
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            bytes.Write(length);
            bytes.Write(utf8);
            return this;
        }

        public PickleBuilder Integer(long value)
        {
            // LONG1 with 8 bytes covers every size and offset.
            bytes.WriteByte(0x8a);
            bytes.WriteByte(8);
            Span<byte> payload = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(payload, value);
            bytes.Write(payload);
            return this;
        }

        public PickleBuilder Tuple(IEnumerable<long> values)
        {
            Mark();
            foreach (long value in values)
            {
                Integer(value);
            }

            return Op((byte)'t');
        }

        public PickleBuilder TensorReference(int key, Tensor tensor)
        {
            string storage = tensor.dtype switch
            {
                ScalarType.Float32 => "FloatStorage",
                ScalarType.Float16 => "HalfStorage",
                ScalarType.Int64 => "LongStorage",
                _ => throw new NotSupportedException($"No storage type for {tensor.dtype}."),
            };
            long[] shape = tensor.shape;
            long[] stride = new long[shape.Length];
            long step = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                stride[i] = step;
                step *= shape[i];
            }

            // _rebuild_tensor_v2(('storage', type, key, 'cpu', numel) as persistent id, 0, shape, stride, False, OrderedDict())
            Global("torch._utils", "_rebuild_tensor_v2").Mark();
            Mark().String("storage").Global("torch", storage).String(key.ToString(System.Globalization.CultureInfo.InvariantCulture)).String("cpu").Integer(tensor.numel()).Op((byte)'t').Op((byte)'Q');
            Integer(0).Tuple(shape).Tuple(stride).False().OrderedDict();
            return Op((byte)'t').Op((byte)'R');
        }

        public byte[] Finish()
        {
            bytes.WriteByte((byte)'.');
            return bytes.ToArray();
        }

        private PickleBuilder Op(byte opcode)
        {
            bytes.WriteByte(opcode);
            return this;
        }
    }
}
