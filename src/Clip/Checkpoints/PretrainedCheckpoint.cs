using System.Buffers.Binary;
using Clip.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>
/// An opened pretrained checkpoint in any supported format, described in the reference (OpenAI) key layout.
/// Opening reads and validates only headers, pickles and configuration files; tensor data is read when a
/// <see cref="CheckpointTensor"/> is loaded.
/// </summary>
/// <remarks>
/// Recognised inputs: an OpenAI TorchScript <c>.pt</c> release (float32 or half precision), a
/// <c>torch.save</c> state dict, an OpenCLIP training checkpoint (<c>state_dict</c> entry, <c>module.</c>
/// prefix), a safetensors file in the OpenAI or transformers layout, a transformers <c>CLIPModel</c> folder,
/// and a folder saved by this library in the OpenAI layout. The scalar entries <c>input_resolution</c>,
/// <c>context_length</c> and <c>vocab_size</c> of OpenAI releases are dropped.
/// </remarks>
public sealed class PretrainedCheckpoint : IDisposable
{
    /// <summary>Weights file of a transformers folder, and of a folder in the OpenAI layout.</summary>
    public const string SafeTensorsFileName = "model.safetensors";

    /// <summary>Weights file of older transformers folders (a <c>torch.save</c> archive).</summary>
    public const string PyTorchBinFileName = "pytorch_model.bin";

    /// <summary>Tokenizer vocabulary of a transformers folder.</summary>
    public const string VocabularyFileName = "vocab.json";

    /// <summary>Tokenizer merges of a transformers folder.</summary>
    public const string MergesFileName = "merges.txt";

    /// <summary>Image preprocessing settings of a transformers folder.</summary>
    public const string PreprocessorFileName = "preprocessor_config.json";

    /// <summary>safetensors metadata key under which this library stores its <see cref="ClipConfigJson"/> text.</summary>
    public const string ConfigMetadataKey = "clip_config";

    private static readonly byte[] ZipMagic = [(byte)'P', (byte)'K', 3, 4];

    // A pre-1.6 torch.save file is a bare pickle stream: PROTO 2 opcode first.
    private static readonly byte[] LegacyPickleMagic = [0x80, 0x02];

    private const int SafeTensorsPrefixBytes = 8;

    private readonly PyTorchArchive? archive;

    private PretrainedCheckpoint(
        string path,
        CheckpointFormat format,
        IReadOnlyList<CheckpointTensor> tensors,
        PyTorchArchive? archive)
    {
        Path = path;
        Format = format;
        Tensors = tensors;
        this.archive = archive;
    }

    /// <summary>The file or folder that was opened.</summary>
    public string Path { get; }

    /// <summary>The container format.</summary>
    public CheckpointFormat Format { get; }

    /// <summary>The tensors under reference names, in the order the file stores them.</summary>
    public IReadOnlyList<CheckpointTensor> Tensors { get; }

    /// <summary>The configuration the checkpoint states (transformers or library config file, or safetensors metadata); null when it states none.</summary>
    public ClipConfig? DeclaredConfig { get; private init; }

    /// <summary>The transformers configuration, for a transformers folder.</summary>
    public HuggingFaceClipConfig? HuggingFaceConfig { get; private init; }

    /// <summary>transformers keys that have no reference counterpart; strict loading reports them as unexpected.</summary>
    public IReadOnlyList<string> UnmappedKeys { get; private init; } = [];

    /// <summary>transformers keys a packed reference tensor needs but the file lacks (a q, k or v projection); reported as missing.</summary>
    public IReadOnlyList<string> IncompleteKeys { get; private init; } = [];

    /// <summary>The folder's <c>vocab.json</c>, when it has one.</summary>
    public string? VocabularyFile { get; private init; }

    /// <summary>The folder's <c>merges.txt</c>, when it has one.</summary>
    public string? MergesFile { get; private init; }

    /// <summary>The folder's <c>preprocessor_config.json</c>, when it has one.</summary>
    public string? PreprocessorConfigFile { get; private init; }

    /// <summary>Opens a checkpoint file or folder and recognises its format.</summary>
    /// <param name="path">A <c>.pt</c>/<c>.bin</c>/<c>.safetensors</c> file, or a model folder.</param>
    /// <returns>The opened checkpoint; dispose it to close the file.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The format is unknown, or the file is truncated or corrupt.</exception>
    public static PretrainedCheckpoint Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return OpenFolder(path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No checkpoint file or folder at '{path}'.", path);
        }

        return OpenFile(path, path, declaredConfig: null, huggingFaceConfig: null);
    }

    /// <summary>
    /// Returns the stated configuration, or infers one from the tensor shapes as the reference does.
    /// </summary>
    /// <param name="textHeads">
    /// Text attention heads to use when inferring; null assumes width / 64 (true for OpenAI's releases).
    /// Ignored when the checkpoint states its configuration.
    /// </param>
    /// <returns>The configuration.</returns>
    /// <exception cref="CheckpointFormatException">The shapes do not describe a CLIP model.</exception>
    public ClipConfig ResolveConfig(int? textHeads = null) =>
        DeclaredConfig ?? ClipArchitectureInference.Infer(Shapes(), Path, textHeads);

    /// <summary>Shapes of <see cref="Tensors"/> by reference name.</summary>
    /// <returns>A new dictionary.</returns>
    public Dictionary<string, IReadOnlyList<long>> Shapes() =>
        Tensors.ToDictionary(t => t.Name, t => t.Shape, StringComparer.Ordinal);

    /// <summary>Reads every tensor into CPU memory, half precision converted to float32.</summary>
    /// <returns>Reference name to tensor, in file order; the caller owns and disposes the tensors.</returns>
    /// <exception cref="CheckpointFormatException">Tensor data is truncated or corrupt.</exception>
    public Dictionary<string, Tensor> LoadStateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (CheckpointTensor tensor in Tensors)
            {
                result.Add(tensor.Name, tensor.Load());
            }
        }
        catch
        {
            foreach (Tensor tensor in result.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return result;
    }

    /// <inheritdoc/>
    public void Dispose() => archive?.Dispose();

    private static PretrainedCheckpoint OpenFolder(string folder)
    {
        string hfConfigPath = System.IO.Path.Combine(folder, HuggingFaceClipConfig.FileName);
        string libraryConfigPath = System.IO.Path.Combine(folder, ClipConfigJson.FileName);
        string safetensorsPath = System.IO.Path.Combine(folder, SafeTensorsFileName);
        string binPath = System.IO.Path.Combine(folder, PyTorchBinFileName);

        string? Optional(string name) =>
            File.Exists(System.IO.Path.Combine(folder, name)) ? System.IO.Path.Combine(folder, name) : null;

        if (File.Exists(hfConfigPath))
        {
            HuggingFaceClipConfig hfConfig = HuggingFaceClipConfig.Read(hfConfigPath);
            string weights = File.Exists(safetensorsPath) ? safetensorsPath
                : File.Exists(binPath) ? binPath
                : throw new CheckpointFormatException(
                    folder,
                    $"the transformers folder has {HuggingFaceClipConfig.FileName} but neither {SafeTensorsFileName} nor {PyTorchBinFileName}"
                    + (File.Exists(safetensorsPath + ".index.json") ? " (sharded weights are not supported)" : ""));
            PretrainedCheckpoint inner = OpenFile(weights, folder, hfConfig.ToClipConfig(), hfConfig);
            return new PretrainedCheckpoint(folder, CheckpointFormat.HuggingFaceFolder, inner.Tensors, inner.archive)
            {
                DeclaredConfig = inner.DeclaredConfig,
                HuggingFaceConfig = hfConfig,
                UnmappedKeys = inner.UnmappedKeys,
                IncompleteKeys = inner.IncompleteKeys,
                VocabularyFile = Optional(VocabularyFileName),
                MergesFile = Optional(MergesFileName),
                PreprocessorConfigFile = Optional(PreprocessorFileName),
            };
        }

        if (File.Exists(libraryConfigPath))
        {
            ClipConfig config = ClipConfigJson.Read(libraryConfigPath);
            if (!File.Exists(safetensorsPath))
            {
                throw new CheckpointFormatException(folder, $"the folder has {ClipConfigJson.FileName} but no {SafeTensorsFileName}");
            }

            PretrainedCheckpoint inner = OpenFile(safetensorsPath, folder, config, huggingFaceConfig: null);
            return new PretrainedCheckpoint(folder, CheckpointFormat.OpenAiLayoutFolder, inner.Tensors, inner.archive)
            {
                DeclaredConfig = config,
                UnmappedKeys = inner.UnmappedKeys,
                IncompleteKeys = inner.IncompleteKeys,
                VocabularyFile = Optional(VocabularyFileName),
                MergesFile = Optional(MergesFileName),
                PreprocessorConfigFile = Optional(PreprocessorFileName),
            };
        }

        throw new CheckpointFormatException(
            folder,
            $"expected a model folder with {HuggingFaceClipConfig.FileName} (transformers CLIPModel) or {ClipConfigJson.FileName} (OpenAI layout), but it has neither");
    }

    private static PretrainedCheckpoint OpenFile(string file, string reportedPath, ClipConfig? declaredConfig, HuggingFaceClipConfig? huggingFaceConfig)
    {
        byte[] head = ReadHead(file, SafeTensorsPrefixBytes + 1);
        if (head.AsSpan().StartsWith(ZipMagic))
        {
            PyTorchArchive archive = PyTorchArchive.Open(file);
            try
            {
                CheckpointFormat format = archive.IsTorchScript ? CheckpointFormat.TorchScriptArchive : CheckpointFormat.TorchSaveArchive;
                IReadOnlyList<CheckpointTensor> raw = PickledStateDict.Extract(archive, archive.ReadPickle());
                return Create(reportedPath, format, raw, archive, declaredConfig, huggingFaceConfig);
            }
            catch
            {
                archive.Dispose();
                throw;
            }
        }

        if (LooksLikeSafeTensors(head))
        {
            SafeTensorsHeader header;
            try
            {
                header = SafeTensors.ReadHeader(file);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(file, "expected a valid safetensors file: " + e.Message, e);
            }

            IReadOnlyList<CheckpointTensor> raw = header.Entries
                .Select(entry => new CheckpointTensor(entry.Name, entry.DType.ScalarType, entry.Shape, () => ReadSafeTensor(file, header, entry)))
                .ToList();
            if (declaredConfig is null && header.Metadata.TryGetValue(ConfigMetadataKey, out string? configJson))
            {
                declaredConfig = ClipConfigJson.Parse(configJson, $"{file} (metadata '{ConfigMetadataKey}')");
            }

            return Create(reportedPath, CheckpointFormat.SafeTensors, raw, archive: null, declaredConfig, huggingFaceConfig);
        }

        if (head.AsSpan().StartsWith(LegacyPickleMagic))
        {
            throw new CheckpointFormatException(
                file,
                "the file is a legacy (pre-1.6) torch.save pickle stream; expected the zip format. Re-save it with a current PyTorch (torch.save writes zip files by default)");
        }

        throw new CheckpointFormatException(
            file,
            "unknown format; expected a PyTorch zip archive (.pt or .bin from torch.save or torch.jit.save), a safetensors file, or a model folder");
    }

    private static PretrainedCheckpoint Create(
        string path,
        CheckpointFormat format,
        IReadOnlyList<CheckpointTensor> raw,
        PyTorchArchive? archive,
        ClipConfig? declaredConfig,
        HuggingFaceClipConfig? huggingFaceConfig)
    {
        if (!HuggingFaceClipMapping.IsHuggingFaceLayout(raw.Select(t => t.Name)))
        {
            return new PretrainedCheckpoint(path, format, raw, archive) { DeclaredConfig = declaredConfig, HuggingFaceConfig = huggingFaceConfig };
        }

        HuggingFaceClipMapping.MappingResult mapped = HuggingFaceClipMapping.ToReferenceLayout(raw);
        return new PretrainedCheckpoint(path, format, mapped.Tensors, archive)
        {
            DeclaredConfig = declaredConfig,
            HuggingFaceConfig = huggingFaceConfig,
            UnmappedKeys = mapped.UnexpectedKeys,
            IncompleteKeys = mapped.MissingKeys,
        };
    }

    private static Tensor ReadSafeTensor(string file, SafeTensorsHeader header, SafeTensorsEntry entry)
    {
        Tensor tensor = empty(entry.Shape.ToArray(), entry.DType.ScalarType);
        try
        {
            using FileStream stream = File.OpenRead(file);
            if (stream.Length < header.DataStart + entry.End)
            {
                throw new CheckpointFormatException(file, $"the file is truncated: tensor '{entry.Name}' ends at byte {header.DataStart + entry.End} of {stream.Length}");
            }

            stream.Position = header.DataStart + entry.Begin;
            stream.ReadExactly(tensor.bytes);
            return tensor;
        }
        catch (EndOfStreamException e)
        {
            tensor.Dispose();
            throw new CheckpointFormatException(file, $"the file is truncated inside tensor '{entry.Name}'", e);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    // A safetensors file opens with an 8-byte header length and then the header's JSON brace; the header
    // parser checks the rest.
    private static bool LooksLikeSafeTensors(byte[] head) =>
        head.Length > SafeTensorsPrefixBytes && head[SafeTensorsPrefixBytes] == (byte)'{';

    private static byte[] ReadHead(string file, int count)
    {
        using FileStream stream = File.OpenRead(file);
        var buffer = new byte[Math.Min(count, stream.Length)];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
