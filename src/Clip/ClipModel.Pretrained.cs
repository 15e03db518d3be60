using Clip.Checkpoints;
using Clip.Modeling;
using static TorchSharp.torch;

namespace Clip;

/// <summary>Where <see cref="ClipModel.SavePretrained(string, PretrainedLayout)"/> puts the weights.</summary>
public enum PretrainedLayout
{
    /// <summary>The transformers layout for Vision Transformer models, the OpenAI layout for ResNet models.</summary>
    Automatic,

    /// <summary>A transformers <c>CLIPModel</c> folder (Vision Transformer models only).</summary>
    HuggingFace,

    /// <summary>OpenAI's key layout in <c>model.safetensors</c> beside <c>clip_config.json</c>.</summary>
    OpenAi,
}

/// <summary>Loading and saving pretrained checkpoints.</summary>
public sealed partial class ClipModel
{
    // transformers marks files it wrote from PyTorch with this safetensors metadata.
    private static readonly IReadOnlyDictionary<string, string> TransformersMetadata =
        new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Loads a pretrained model from a checkpoint file or folder, recognising its format.</summary>
    /// <param name="path">
    /// An OpenAI <c>.pt</c> release (TorchScript, float32 or half precision), a <c>torch.save</c> state dict or
    /// OpenCLIP checkpoint (<c>.pt</c>, <c>.bin</c>), a safetensors file, a transformers <c>CLIPModel</c>
    /// folder, or a folder written by <see cref="SavePretrained(string, PretrainedLayout)"/>.
    /// </param>
    /// <param name="device">Where to place the model; null means the CPU.</param>
    /// <returns>The model in eval mode with float32 weights; the caller disposes it.</returns>
    /// <remarks>See <see cref="FromPretrained(string, PretrainedLoadOptions)"/>.</remarks>
    public static ClipModel FromPretrained(string path, Device? device = null) =>
        FromPretrained(path, new PretrainedLoadOptions { Device = device });

    /// <summary>Loads a pretrained model from a checkpoint file or folder, recognising its format.</summary>
    /// <param name="path">A checkpoint file or folder; see <see cref="FromPretrained(string, Device?)"/>.</param>
    /// <param name="options">Device, and the architecture or text head count when the checkpoint does not state them.</param>
    /// <returns>The model in eval mode with float32 weights; the caller disposes it.</returns>
    /// <remarks>
    /// The architecture comes from <paramref name="options"/>, else from the checkpoint's configuration, else
    /// from the tensor shapes as the reference infers it. Loading is strict: every key and shape is checked
    /// before anything is copied, and all problems are reported together. Tensors are then read and copied one
    /// at a time, so the peak memory stays near one copy of the weights. Half-precision weights are converted to
    /// float32. TorchScript code in a <c>.pt</c> archive is never run; pickled files are read by a reader that
    /// builds only tensors and plain containers.
    /// </remarks>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The format is unknown, or the file is truncated or corrupt.</exception>
    /// <exception cref="StateDictMismatchException">Keys are missing or unexpected, or shapes differ from the architecture.</exception>
    public static ClipModel FromPretrained(string path, PretrainedLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(path);
        ClipConfig config = options.Config ?? checkpoint.ResolveConfig(options.TextHeads);
        ClipModel model = Create(config, options.Device);
        try
        {
            model.LoadCheckpoint(checkpoint);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Saves the model so that <see cref="FromPretrained(string, Device?)"/> and, for Vision Transformer models,
    /// Python's transformers (<c>CLIPModel.from_pretrained</c>) can load it.
    /// </summary>
    /// <param name="directory">The folder to write; created if missing, files of the same names replaced.</param>
    /// <param name="layout">
    /// <see cref="PretrainedLayout.Automatic"/> writes the transformers layout (<c>config.json</c>,
    /// <c>model.safetensors</c>, <c>preprocessor_config.json</c>) for Vision Transformer models and the OpenAI
    /// layout (<c>clip_config.json</c>, <c>model.safetensors</c> with reference keys,
    /// <c>preprocessor_config.json</c>) for ResNet models, which transformers does not have.
    /// </param>
    /// <exception cref="ArgumentException">The transformers layout is asked for a ResNet model.</exception>
    public void SavePretrained(string directory, PretrainedLayout layout = PretrainedLayout.Automatic)
    {
        ArgumentNullException.ThrowIfNull(directory);
        bool isVisionTransformer = Config.Vision.Architecture == VisionArchitecture.VisionTransformer;
        bool huggingFace = layout switch
        {
            PretrainedLayout.Automatic => isVisionTransformer,
            PretrainedLayout.HuggingFace => isVisionTransformer
                ? true
                : throw new ArgumentException("transformers has no CLIP model with a ResNet image encoder; save ResNet models with PretrainedLayout.OpenAi.", nameof(layout)),
            PretrainedLayout.OpenAi => false,
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout."),
        };

        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> reference = StateDictEntries.Enumerate(this, string.Empty)
            .ToDictionary(entry => entry.Name, entry => entry.Tensor);
        string weights = Path.Combine(directory, PretrainedCheckpoint.SafeTensorsFileName);
        if (huggingFace)
        {
            Dictionary<string, Tensor> converted = HuggingFaceClipMapping.ToHuggingFaceLayout(reference);
            SafeTensors.Save(weights, converted, TransformersMetadata);
            HuggingFaceClipConfig.FromClipConfig(Config).Write(Path.Combine(directory, HuggingFaceClipConfig.FileName));
        }
        else
        {
            string configJson = ClipConfigJson.ToJson(Config);
            var metadata = new Dictionary<string, string>(TransformersMetadata) { [PretrainedCheckpoint.ConfigMetadataKey] = configJson };
            SafeTensors.Save(weights, reference, metadata);
            File.WriteAllText(Path.Combine(directory, ClipConfigJson.FileName), configJson);
        }

        HuggingFacePreprocessorConfig.ForResolution(Config.Vision.ImageResolution)
            .Write(Path.Combine(directory, PretrainedCheckpoint.PreprocessorFileName));

        // TODO: write the transformers tokenizer files (vocab.json, merges.txt) when the tokenizer is in this
        // branch: ClipVocabulary.OpenAi.SaveHuggingFace(...) whenever Config.Text.VocabSize equals its Count.
        // Until then a saved folder has no tokenizer files, and transformers needs them from elsewhere.
    }

    /// <summary>Checks every key and shape of <paramref name="checkpoint"/> against the model, then copies the tensors one by one.</summary>
    private void LoadCheckpoint(PretrainedCheckpoint checkpoint)
    {
        List<StateDictEntry> target = StateDictEntries.Enumerate(this, string.Empty).ToList();
        var targetByName = target.ToDictionary(entry => entry.Name, entry => entry.Tensor, StringComparer.Ordinal);
        var sourceNames = new HashSet<string>(checkpoint.Tensors.Select(t => t.Name), StringComparer.Ordinal);

        var missing = target.Select(entry => entry.Name).Where(name => !sourceNames.Contains(name)).ToList();
        missing.AddRange(checkpoint.IncompleteKeys);
        var unexpected = checkpoint.Tensors.Select(t => t.Name).Where(name => !targetByName.ContainsKey(name)).ToList();
        unexpected.AddRange(checkpoint.UnmappedKeys);
        var mismatches = checkpoint.Tensors
            .Where(t => targetByName.TryGetValue(t.Name, out Tensor? expected) && !expected.shape.SequenceEqual(t.Shape))
            .Select(t => new ShapeMismatch(t.Name, targetByName[t.Name].shape, t.Shape))
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatches.Count > 0)
        {
            throw new StateDictMismatchException(checkpoint.Path, missing, unexpected, mismatches);
        }

        using var gradMode = no_grad();
        foreach (CheckpointTensor tensor in checkpoint.Tensors)
        {
            using Tensor loaded = tensor.Load();
            targetByName[tensor.Name].copy_(loaded);
        }
    }
}
