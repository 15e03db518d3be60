using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>
/// A PyTorch zip archive, as written by <c>torch.save</c> (format version 3 and later) and <c>torch.jit.save</c>:
/// one top folder (named after the file, not fixed), its pickle <c>data.pkl</c>, and one record
/// <c>data/&lt;key&gt;</c> per storage. TorchScript archives also hold <c>code/</c>, <c>constants.pkl</c> and
/// <c>constants/</c>, which this reader never reads.
/// </summary>
internal sealed class PyTorchArchive : IDisposable
{
    // Pickles of weights files are small (about 100 bytes per tensor); a larger one is not a weights file.
    private const long MaxPickleBytes = 256L * 1024 * 1024;

    // Deflate cannot expand data by more than about 1032:1 (RFC 1951 block limits); stored records are 1:1.
    private const long MaxDeflateRatio = 1032;

    private const string PickleName = "data.pkl";
    private const string ByteOrderName = "byteorder";

    private readonly ZipArchive zip;
    private readonly string root;

    private PyTorchArchive(string path, ZipArchive zip, string root)
    {
        Path = path;
        this.zip = zip;
        this.root = root;
    }

    /// <summary>The archive's file path.</summary>
    public string Path { get; }

    /// <summary>Whether the archive was written by <c>torch.jit.save</c> (it has a <c>code/</c> folder or <c>constants.pkl</c>).</summary>
    public bool IsTorchScript =>
        zip.GetEntry(root + "constants.pkl") is not null
        || zip.Entries.Any(e => e.FullName.StartsWith(root + "code/", StringComparison.Ordinal));

    /// <summary>Opens <paramref name="path"/> and finds its top folder.</summary>
    /// <exception cref="CheckpointFormatException">The file is not a readable zip archive with exactly one <c>*/data.pkl</c>.</exception>
    public static PyTorchArchive Open(string path)
    {
        FileStream stream = File.OpenRead(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new CheckpointFormatException(path, "expected a PyTorch zip archive (torch.save or torch.jit.save), but the zip directory is missing or damaged; the file is truncated or corrupt", e);
        }

        string[] roots = zip.Entries
            .Select(e => e.FullName)
            .Where(name => name.EndsWith("/" + PickleName, StringComparison.Ordinal) && name.IndexOf('/') == name.Length - PickleName.Length - 1)
            .Select(name => name[..^PickleName.Length])
            .ToArray();
        if (roots.Length != 1)
        {
            zip.Dispose();
            throw new CheckpointFormatException(
                path,
                roots.Length == 0
                    ? "expected a PyTorch zip archive with a '<folder>/data.pkl' entry, but the zip has none"
                    : $"expected one '<folder>/data.pkl' entry, but the zip has {roots.Length} ({string.Join(", ", roots)})");
        }

        var archive = new PyTorchArchive(path, zip, roots[0]);
        archive.CheckByteOrder();
        return archive;
    }

    /// <summary>Reads and unpickles <c>data.pkl</c> with the restricted reader, then checks every storage record it names.</summary>
    /// <returns>The unpickled value: a dictionary for <c>torch.save</c>, a <see cref="TorchScriptObject"/> for TorchScript.</returns>
    /// <exception cref="CheckpointFormatException">The pickle is corrupt or a storage record is missing or has the wrong size.</exception>
    public object? ReadPickle()
    {
        ZipArchiveEntry entry = zip.GetEntry(root + PickleName)!;
        if (entry.Length > MaxPickleBytes)
        {
            throw new CheckpointFormatException(Path, $"'{entry.FullName}' has {entry.Length} bytes, more than the {MaxPickleBytes} a weights pickle needs");
        }

        byte[] bytes = ReadEntry(entry);
        long fileLength = new FileInfo(Path).Length;
        (object? value, IReadOnlyCollection<StorageReference> storages) = RestrictedUnpickler.Load($"{Path}:{entry.FullName}", bytes);
        foreach (StorageReference storage in storages)
        {
            ZipArchiveEntry record = StorageEntry(storage);
            long expectedBytes = checked(storage.ElementCount * ElementSize(storage.DType));
            if (record.Length != expectedBytes)
            {
                throw new CheckpointFormatException(
                    Path,
                    $"storage record '{record.FullName}' has {record.Length} bytes, but the pickle declares {storage.ElementCount} elements of {storage.DType} ({expectedBytes} bytes)");
            }

            // The zip directory's sizes are only claims: check them against the file before allocating.
            if (record.CompressedLength > fileLength || record.CompressedLength * MaxDeflateRatio < record.Length)
            {
                throw new CheckpointFormatException(
                    Path,
                    $"storage record '{record.FullName}' claims {record.Length} bytes from {record.CompressedLength} stored bytes in a {fileLength}-byte file; the archive is truncated or corrupt");
            }
        }

        return value;
    }

    /// <summary>Reads the tensor that <paramref name="reference"/> describes, in its stored dtype, on the CPU.</summary>
    /// <returns>A new contiguous tensor that the caller owns and disposes.</returns>
    public Tensor ReadTensor(TensorReference reference)
    {
        using var scope = NewDisposeScope();
        Tensor storage = ReadStorage(reference.Storage);
        Tensor result = reference.IsWholeContiguousStorage
            ? storage.view(reference.Shape)
            : storage.as_strided(reference.Shape, reference.Stride, reference.StorageOffset).contiguous().clone();
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose() => zip.Dispose();

    /// <summary>Bytes per element of the dtypes a storage may have.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Storages hold float16, bfloat16, float32, float64, int32 or int64 elements."),
    };

    private Tensor ReadStorage(StorageReference storage)
    {
        ZipArchiveEntry entry = StorageEntry(storage);
        long total = checked(storage.ElementCount * ElementSize(storage.DType));
        if (total > int.MaxValue)
        {
            // NOTE: TorchSharp exposes tensor memory as one Span<byte>, which caps a storage at 2 GiB.
            // No CLIP release has a single tensor that large.
            throw new CheckpointFormatException(Path, $"storage record '{entry.FullName}' has {total} bytes; storages over {int.MaxValue} bytes are not supported");
        }

        Tensor tensor = empty([storage.ElementCount], storage.DType);
        using Stream stream = entry.Open();
        try
        {
            stream.ReadExactly(tensor.bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            tensor.Dispose();
            throw new CheckpointFormatException(Path, $"storage record '{entry.FullName}' is truncated or corrupt", e);
        }

        return tensor;
    }

    private ZipArchiveEntry StorageEntry(StorageReference storage) =>
        zip.GetEntry($"{root}data/{storage.Key}")
        ?? throw new CheckpointFormatException(Path, $"the pickle refers to storage '{storage.Key}', but the archive has no entry '{root}data/{storage.Key}'");

    private void CheckByteOrder()
    {
        ZipArchiveEntry? entry = zip.GetEntry(root + ByteOrderName);
        string order = entry is null ? "little" : System.Text.Encoding.ASCII.GetString(ReadEntry(entry)).Trim();
        if (order != "little" || !BitConverter.IsLittleEndian)
        {
            throw new CheckpointFormatException(Path, $"the archive stores {order}-endian data; only little-endian archives are read on little-endian machines");
        }
    }

    private byte[] ReadEntry(ZipArchiveEntry entry)
    {
        try
        {
            using Stream stream = entry.Open();
            var bytes = new byte[entry.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new CheckpointFormatException(Path, $"zip entry '{entry.FullName}' is truncated or corrupt", e);
        }
    }
}
