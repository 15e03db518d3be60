using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using TorchSharp;

namespace Clip.Checkpoints;

/// <summary>
/// Reads the pickles that <c>torch.save</c> and <c>torch.jit.save</c> write (<c>data.pkl</c>, protocol 2,
/// plus the few later opcodes newer writers use) without running any code.
/// </summary>
/// <remarks>
/// Python's unpickler imports and calls whatever globals a file names, so a pickle can run arbitrary code.
/// This reader instead recognises a fixed list of globals and builds only these values: <c>None</c>, booleans,
/// integers, floats, strings, bytes, tuples (<c>object?[]</c>), lists (<c>List&lt;object?&gt;</c>), dicts and
/// OrderedDicts (<see cref="PickleDictionary"/>), tensor references (<see cref="TensorReference"/>, through
/// <c>torch._utils._rebuild_tensor_v2</c> or <c>_rebuild_parameter</c> over <c>torch.*Storage</c> persistent
/// ids), and objects of TorchScript classes (<c>__torch__.…</c>) as attribute dictionaries
/// (<see cref="TorchScriptObject"/>). Any other global, and any other opcode, fails with a
/// <see cref="CheckpointFormatException"/> that names it.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    // Python's pickle opcodes (Lib/pickletools.py), the subset this reader accepts.
    private const byte Mark = (byte)'(';
    private const byte Stop = (byte)'.';
    private const byte Pop = (byte)'0';
    private const byte PopMark = (byte)'1';
    private const byte Dup = (byte)'2';
    private const byte Int = (byte)'I';
    private const byte BinInt = (byte)'J';
    private const byte BinInt1 = (byte)'K';
    private const byte BinInt2 = (byte)'M';
    private const byte None = (byte)'N';
    private const byte BinPersId = (byte)'Q';
    private const byte Reduce = (byte)'R';
    private const byte BinString = (byte)'T';
    private const byte ShortBinString = (byte)'U';
    private const byte BinUnicode = (byte)'X';
    private const byte Append = (byte)'a';
    private const byte Build = (byte)'b';
    private const byte Global = (byte)'c';
    private const byte Dict = (byte)'d';
    private const byte EmptyDict = (byte)'}';
    private const byte Appends = (byte)'e';
    private const byte Get = (byte)'g';
    private const byte BinGet = (byte)'h';
    private const byte LongBinGet = (byte)'j';
    private const byte List = (byte)'l';
    private const byte EmptyList = (byte)']';
    private const byte Put = (byte)'p';
    private const byte BinPut = (byte)'q';
    private const byte LongBinPut = (byte)'r';
    private const byte SetItem = (byte)'s';
    private const byte Tuple = (byte)'t';
    private const byte EmptyTuple = (byte)')';
    private const byte SetItems = (byte)'u';
    private const byte BinFloat = (byte)'G';
    private const byte BinBytes = (byte)'B';
    private const byte ShortBinBytes = (byte)'C';
    private const byte Proto = 0x80;
    private const byte NewObj = 0x81;
    private const byte Tuple1 = 0x85;
    private const byte Tuple2 = 0x86;
    private const byte Tuple3 = 0x87;
    private const byte NewTrue = 0x88;
    private const byte NewFalse = 0x89;
    private const byte Long1 = 0x8a;
    private const byte Long4 = 0x8b;
    private const byte ShortBinUnicode = 0x8c;
    private const byte BinUnicode8 = 0x8d;
    private const byte BinBytes8 = 0x8e;
    private const byte StackGlobal = 0x93;
    private const byte Memoize = 0x94;
    private const byte Frame = 0x95;

    // Highest pickle protocol whose framing this reader understands (Python 3.8 writes 5 at most).
    private const int MaxProtocol = 5;

    // Integers wider than 64 bits never describe a tensor; LONG1/LONG4 payloads beyond 8 bytes are rejected.
    private const int MaxIntegerBytes = 8;

    // Prefix of the classes TorchScript serialises (the compiled module's own types).
    private const string TorchScriptPrefix = "__torch__";

    private static readonly Dictionary<string, torch.ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["torch.FloatStorage"] = torch.ScalarType.Float32,
        ["torch.HalfStorage"] = torch.ScalarType.Float16,
        ["torch.BFloat16Storage"] = torch.ScalarType.BFloat16,
        ["torch.DoubleStorage"] = torch.ScalarType.Float64,
        ["torch.LongStorage"] = torch.ScalarType.Int64,
        ["torch.IntStorage"] = torch.ScalarType.Int32,
    };

    private readonly string path;
    private readonly byte[] data;
    private readonly List<object?> stack = [];
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = [];
    private readonly Dictionary<string, StorageReference> storages = new(StringComparer.Ordinal);
    private int position;

    private RestrictedUnpickler(string path, byte[] data)
    {
        this.path = path;
        this.data = data;
    }

    /// <summary>Global callables this reader knows; everything else is rejected when the file names it.</summary>
    private enum KnownGlobal
    {
        OrderedDict,
        RebuildTensorV2,
        RebuildParameter,
        Storage,
        TorchScriptClass,
    }

    /// <summary>Reads one pickle from <paramref name="data"/>.</summary>
    /// <param name="path">The file the pickle came from, for error messages (for example <c>model.pt:archive/data.pkl</c>).</param>
    /// <param name="data">The pickle bytes.</param>
    /// <returns>The unpickled value and every storage its tensors refer to.</returns>
    /// <exception cref="CheckpointFormatException">The pickle is truncated, malformed or names a global outside the allowed list.</exception>
    public static (object? Value, IReadOnlyCollection<StorageReference> Storages) Load(string path, byte[] data)
    {
        var reader = new RestrictedUnpickler(path, data);
        object? value = reader.Run();
        return (value, reader.storages.Values);
    }

    private object? Run()
    {
        while (true)
        {
            if (position >= data.Length)
            {
                throw Corrupt("the pickle ends before its STOP opcode (the file is truncated)");
            }

            int opcodeOffset = position;
            byte opcode = data[position++];
            switch (opcode)
            {
                case Proto:
                    int protocol = ReadByte();
                    if (protocol > MaxProtocol)
                    {
                        throw Corrupt($"pickle protocol {protocol} is not supported (at most {MaxProtocol})");
                    }

                    break;
                case Frame:
                    ReadBytes(sizeof(ulong)); // Frame lengths only help streaming readers.
                    break;
                case Stop:
                    return PopValue();
                case Mark:
                    marks.Push(stack.Count);
                    break;
                case Pop:
                    PopValue();
                    break;
                case PopMark:
                    PopMarked();
                    break;
                case Dup:
                    stack.Add(Peek());
                    break;
                case None:
                    stack.Add(null);
                    break;
                case NewTrue:
                    stack.Add(true);
                    break;
                case NewFalse:
                    stack.Add(false);
                    break;
                case Int:
                    stack.Add(ParseTextInteger(ReadLine()));
                    break;
                case BinInt:
                    stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(sizeof(int))));
                    break;
                case BinInt1:
                    stack.Add((long)ReadByte());
                    break;
                case BinInt2:
                    stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(sizeof(ushort))));
                    break;
                case Long1:
                    stack.Add(ReadLittleEndianInteger(ReadByte()));
                    break;
                case Long4:
                    stack.Add(ReadLittleEndianInteger(ReadLength(sizeof(int))));
                    break;
                case BinFloat:
                    stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(sizeof(double))));
                    break;
                case ShortBinUnicode:
                    stack.Add(ReadUtf8(ReadByte()));
                    break;
                case BinUnicode:
                    stack.Add(ReadUtf8(ReadLength(sizeof(int))));
                    break;
                case BinUnicode8:
                    stack.Add(ReadUtf8(ReadLength(sizeof(long))));
                    break;
                case ShortBinString:
                    stack.Add(Encoding.Latin1.GetString(ReadBytes(ReadByte())));
                    break;
                case BinString:
                    stack.Add(Encoding.Latin1.GetString(ReadBytes(ReadLength(sizeof(int)))));
                    break;
                case ShortBinBytes:
                    stack.Add(ReadBytes(ReadByte()).ToArray());
                    break;
                case BinBytes:
                    stack.Add(ReadBytes(ReadLength(sizeof(int))).ToArray());
                    break;
                case BinBytes8:
                    stack.Add(ReadBytes(ReadLength(sizeof(long))).ToArray());
                    break;
                case EmptyTuple:
                    stack.Add(Array.Empty<object?>());
                    break;
                case Tuple:
                    stack.Add(PopMarked().ToArray());
                    break;
                case Tuple1:
                case Tuple2:
                case Tuple3:
                    stack.Add(PopMany(opcode - Tuple1 + 1));
                    break;
                case EmptyList:
                    stack.Add(new List<object?>());
                    break;
                case List:
                    stack.Add(PopMarked());
                    break;
                case Append:
                    object? item = PopValue();
                    AsList(Peek(), opcodeOffset).Add(item);
                    break;
                case Appends:
                    List<object?> items = PopMarked();
                    AsList(Peek(), opcodeOffset).AddRange(items);
                    break;
                case EmptyDict:
                    stack.Add(new PickleDictionary());
                    break;
                case Dict:
                    var dictionary = new PickleDictionary();
                    AddPairs(dictionary, PopMarked(), opcodeOffset);
                    stack.Add(dictionary);
                    break;
                case SetItem:
                    object? value = PopValue();
                    object? key = PopValue();
                    AddPairs(AsDictionary(Peek(), opcodeOffset), [key, value], opcodeOffset);
                    break;
                case SetItems:
                    List<object?> pairs = PopMarked();
                    AddPairs(AsDictionary(Peek(), opcodeOffset), pairs, opcodeOffset);
                    break;
                case Global:
                    string module = ReadLine();
                    string name = ReadLine();
                    stack.Add(ResolveGlobal(module, name));
                    break;
                case StackGlobal:
                    string globalName = AsString(PopValue(), opcodeOffset);
                    string globalModule = AsString(PopValue(), opcodeOffset);
                    stack.Add(ResolveGlobal(globalModule, globalName));
                    break;
                case Reduce:
                    object?[] arguments = AsTuple(PopValue(), opcodeOffset);
                    object? callable = PopValue();
                    stack.Add(Call(callable, arguments, opcodeOffset));
                    break;
                case NewObj:
                    AsTuple(PopValue(), opcodeOffset);
                    object? type = PopValue();
                    stack.Add(type is ResolvedGlobal { Kind: KnownGlobal.TorchScriptClass } cls
                        ? new TorchScriptObject(cls.QualifiedName)
                        : throw Corrupt($"NEWOBJ at byte {opcodeOffset} creates {Describe(type)}; only TorchScript classes are created this way"));
                    break;
                case Build:
                    object? state = PopValue();
                    ApplyState(Peek(), state, opcodeOffset);
                    break;
                case BinPersId:
                    stack.Add(LoadPersistent(PopValue(), opcodeOffset));
                    break;
                case Put:
                    memo[ParseTextInteger(ReadLine())] = Peek();
                    break;
                case BinPut:
                    memo[ReadByte()] = Peek();
                    break;
                case LongBinPut:
                    memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(sizeof(uint)))] = Peek();
                    break;
                case Memoize:
                    memo[memo.Count] = Peek();
                    break;
                case Get:
                    stack.Add(FromMemo(ParseTextInteger(ReadLine()), opcodeOffset));
                    break;
                case BinGet:
                    stack.Add(FromMemo(ReadByte(), opcodeOffset));
                    break;
                case LongBinGet:
                    stack.Add(FromMemo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(sizeof(uint))), opcodeOffset));
                    break;
                default:
                    throw Corrupt($"opcode 0x{opcode:x2} at byte {opcodeOffset} is not one a PyTorch weights file uses");
            }
        }
    }

    private object ResolveGlobal(string module, string name)
    {
        string qualified = module + "." + name;
        if (module == TorchScriptPrefix || module.StartsWith(TorchScriptPrefix + ".", StringComparison.Ordinal))
        {
            return new ResolvedGlobal(KnownGlobal.TorchScriptClass, qualified);
        }

        KnownGlobal? kind = qualified switch
        {
            "collections.OrderedDict" => KnownGlobal.OrderedDict,
            "torch._utils._rebuild_tensor_v2" => KnownGlobal.RebuildTensorV2,
            "torch._utils._rebuild_parameter" => KnownGlobal.RebuildParameter,
            _ when StorageTypes.ContainsKey(qualified) => KnownGlobal.Storage,
            _ => null,
        };

        return kind is KnownGlobal known
            ? new ResolvedGlobal(known, qualified)
            : throw Corrupt(
                $"the pickle refers to the Python global '{qualified}', which this reader does not construct; "
                + "only tensors (torch._utils._rebuild_tensor_v2 over torch.*Storage), OrderedDict, plain containers "
                + "and TorchScript module objects are allowed");
    }

    private object Call(object? callable, object?[] arguments, int offset)
    {
        if (callable is not ResolvedGlobal global)
        {
            throw Corrupt($"REDUCE at byte {offset} calls {Describe(callable)}, which is not a callable this reader allows");
        }

        switch (global.Kind)
        {
            case KnownGlobal.OrderedDict:
                var dictionary = new PickleDictionary();
                if (arguments.Length == 1 && arguments[0] is List<object?> pairs)
                {
                    foreach (object? pair in pairs)
                    {
                        object?[] keyValue = AsTuple(pair, offset);
                        AddPairs(dictionary, [.. keyValue], offset);
                    }
                }
                else if (arguments.Length != 0)
                {
                    throw Corrupt($"OrderedDict at byte {offset} is called with {arguments.Length} arguments");
                }

                return dictionary;
            case KnownGlobal.RebuildTensorV2:
                return RebuildTensor(arguments, offset);
            case KnownGlobal.RebuildParameter:
                return arguments.Length >= 1 && arguments[0] is TensorReference parameter
                    ? parameter
                    : throw Corrupt($"_rebuild_parameter at byte {offset} does not wrap a tensor");
            default:
                throw Corrupt($"REDUCE at byte {offset} calls '{global.QualifiedName}', which is not called this way in a weights file");
        }
    }

    private TensorReference RebuildTensor(object?[] arguments, int offset)
    {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        const int MinArguments = 4;
        if (arguments.Length < MinArguments || arguments[0] is not StorageReference storage)
        {
            throw Corrupt($"_rebuild_tensor_v2 at byte {offset} does not start with a storage, an offset, a size and a stride");
        }

        long storageOffset = AsInteger(arguments[1], offset);
        long[] shape = AsTuple(arguments[2], offset).Select(v => AsInteger(v, offset)).ToArray();
        long[] stride = AsTuple(arguments[3], offset).Select(v => AsInteger(v, offset)).ToArray();
        if (shape.Length != stride.Length || shape.Any(s => s < 0) || stride.Any(s => s < 0) || storageOffset < 0)
        {
            throw Corrupt(
                $"tensor at byte {offset} has an invalid view: shape [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}], offset {storageOffset}");
        }

        var tensor = new TensorReference(storage, storageOffset, shape, stride);
        long count;
        long lastElement = storageOffset;
        try
        {
            count = tensor.ElementCount;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] > 0)
                {
                    lastElement = checked(lastElement + ((shape[i] - 1) * stride[i]));
                }
            }
        }
        catch (OverflowException e)
        {
            throw Corrupt($"tensor at byte {offset} has a shape whose element count overflows", e);
        }

        if (count > 0 && lastElement >= storage.ElementCount)
        {
            throw Corrupt(
                $"tensor at byte {offset} (shape [{string.Join(", ", shape)}], offset {storageOffset}) reaches element {lastElement} "
                + $"of storage '{storage.Key}', which has {storage.ElementCount} elements");
        }

        return tensor;
    }

    private StorageReference LoadPersistent(object? id, int offset)
    {
        // torch.save writes ('storage', storage_type, key, location, element_count).
        const int PersistentIdLength = 5;
        object?[] fields = AsTuple(id, offset);
        if (fields.Length != PersistentIdLength || fields[0] is not "storage")
        {
            throw Corrupt($"persistent id at byte {offset} is not a storage record ('storage', type, key, location, size)");
        }

        if (fields[1] is not ResolvedGlobal { Kind: KnownGlobal.Storage } storageType)
        {
            throw Corrupt($"storage at byte {offset} has type {Describe(fields[1])}; expected one of {string.Join(", ", StorageTypes.Keys)}");
        }

        string key = AsString(fields[2], offset);
        long count = AsInteger(fields[4], offset);
        if (count < 0 || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
        {
            throw Corrupt($"storage at byte {offset} has an invalid key '{key}' or size {count}");
        }

        torch.ScalarType dtype = StorageTypes[storageType.QualifiedName];
        if (storages.TryGetValue(key, out StorageReference? existing))
        {
            return existing.DType == dtype && existing.ElementCount == count
                ? existing
                : throw Corrupt($"storage '{key}' is declared twice with different types or sizes");
        }

        var storage = new StorageReference(key, dtype, count);
        storages[key] = storage;
        return storage;
    }

    private void ApplyState(object? target, object? state, int offset)
    {
        switch (target)
        {
            case TorchScriptObject module when state is PickleDictionary attributes:
                module.Attributes = attributes;
                break;
            case PickleDictionary when state is PickleDictionary or null:
                // An OrderedDict state dict carries its '_metadata' (module versions) as instance state.
                break;
            default:
                throw Corrupt($"BUILD at byte {offset} sets state {Describe(state)} on {Describe(target)}, which this reader does not allow");
        }
    }

    private void AddPairs(PickleDictionary dictionary, List<object?> flat, int offset)
    {
        if (flat.Count % 2 != 0)
        {
            throw Corrupt($"dict items at byte {offset} do not come in key/value pairs");
        }

        for (int i = 0; i < flat.Count; i += 2)
        {
            object key = flat[i] switch
            {
                string or long or bool => flat[i]!,
                _ => throw Corrupt($"dict key at byte {offset} is {Describe(flat[i])}; only strings, integers and booleans are allowed"),
            };
            dictionary.Set(key, flat[i + 1]);
        }
    }

    private object? FromMemo(long index, int offset) =>
        memo.TryGetValue(index, out object? value) ? value : throw Corrupt($"memo entry {index} read at byte {offset} was never stored");

    private object? PopValue()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() == stack.Count))
        {
            throw Corrupt($"the pickle pops an empty stack near byte {position}");
        }

        object? value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object? Peek() =>
        stack.Count > 0 && (marks.Count == 0 || marks.Peek() < stack.Count)
            ? stack[^1]
            : throw Corrupt($"the pickle reads an empty stack near byte {position}");

    private object?[] PopMany(int count)
    {
        var values = new object?[count];
        for (int i = count - 1; i >= 0; i--)
        {
            values[i] = PopValue();
        }

        return values;
    }

    private List<object?> PopMarked()
    {
        if (marks.Count == 0)
        {
            throw Corrupt($"the pickle closes a mark it never opened near byte {position}");
        }

        int start = marks.Pop();
        List<object?> values = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return values;
    }

    private byte ReadByte() => ReadBytes(1)[0];

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || count > data.Length - position)
        {
            throw Corrupt($"a value at byte {position} needs {count} bytes but only {data.Length - position} remain (the file is truncated)");
        }

        var span = new ReadOnlySpan<byte>(data, position, (int)count);
        position += (int)count;
        return span;
    }

    private long ReadLength(int width)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(width);
        long length = width == sizeof(int) ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return length;
    }

    private long ReadLittleEndianInteger(long byteCount)
    {
        if (byteCount > MaxIntegerBytes)
        {
            throw Corrupt($"an integer of {byteCount} bytes at byte {position} is wider than 64 bits");
        }

        var value = new BigInteger(ReadBytes(byteCount), isUnsigned: false, isBigEndian: false);
        return (long)value;
    }

    private string ReadUtf8(long byteCount)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(byteCount));
        }
        catch (DecoderFallbackException e)
        {
            throw Corrupt($"a string near byte {position} is not valid UTF-8", e);
        }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0)
        {
            throw Corrupt($"a text field at byte {position} has no line end (the file is truncated)");
        }

        string line = Encoding.ASCII.GetString(data, position, end - position);
        position = end + 1;
        return line;
    }

    private long ParseTextInteger(string text) => text switch
    {
        "00" => 0, // False in protocol 0
        "01" => 1, // True in protocol 0
        _ when long.TryParse(text.TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) => value,
        _ => throw Corrupt($"'{text}' near byte {position} is not an integer"),
    };

    private List<object?> AsList(object? value, int offset) =>
        value as List<object?> ?? throw Corrupt($"APPEND at byte {offset} targets {Describe(value)}, not a list");

    private PickleDictionary AsDictionary(object? value, int offset) =>
        value as PickleDictionary ?? throw Corrupt($"SETITEM at byte {offset} targets {Describe(value)}, not a dict");

    private object?[] AsTuple(object? value, int offset) =>
        value as object?[] ?? throw Corrupt($"the value at byte {offset} is {Describe(value)}, where a tuple is expected");

    private string AsString(object? value, int offset) =>
        value as string ?? throw Corrupt($"the value at byte {offset} is {Describe(value)}, where a string is expected");

    private long AsInteger(object? value, int offset) =>
        value is long number ? number : throw Corrupt($"the value at byte {offset} is {Describe(value)}, where an integer is expected");

    private static string Describe(object? value) => value switch
    {
        null => "None",
        ResolvedGlobal g => $"'{g.QualifiedName}'",
        TorchScriptObject o => $"an object of '{o.ClassName}'",
        _ => $"a {value.GetType().Name}",
    };

    private CheckpointFormatException Corrupt(string message, Exception? inner = null) =>
        new(path, $"corrupt or unsupported pickle: {message}", inner);

    private sealed record ResolvedGlobal(KnownGlobal Kind, string QualifiedName);
}
