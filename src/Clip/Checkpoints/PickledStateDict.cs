namespace Clip.Checkpoints;

/// <summary>
/// Turns the unpickled content of a PyTorch archive into a flat, ordered list of named tensors: a
/// <c>torch.save</c> state dict as it is, an OpenCLIP training checkpoint's <c>state_dict</c> entry without
/// its <c>module.</c> prefix, or a TorchScript module tree walked into state-dict keys.
/// </summary>
internal static class PickledStateDict
{
    /// <summary>Key of the weights in an OpenCLIP training checkpoint.</summary>
    public const string TrainingCheckpointKey = "state_dict";

    /// <summary>Prefix that DistributedDataParallel adds to every key.</summary>
    public const string DataParallelPrefix = "module.";

    /// <summary>
    /// 0-dim integer entries that OpenAI's released archives carry beside the weights; the reference loader
    /// deletes them before loading.
    /// </summary>
    public static readonly IReadOnlySet<string> ReleaseScalarKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "input_resolution",
        "context_length",
        "vocab_size",
    };

    // Deeper module trees than this are not CLIP models (the deepest key has 6 levels).
    private const int MaxModuleDepth = 64;

    /// <summary>Extracts the named tensors in the order the file stores them.</summary>
    /// <exception cref="CheckpointFormatException">The pickle contains no state dict, or a state-dict value is not a tensor.</exception>
    public static IReadOnlyList<CheckpointTensor> Extract(PyTorchArchive archive, object? root)
    {
        var tensors = new List<(string Key, TensorReference Tensor)>();
        switch (root)
        {
            case TorchScriptObject module:
                Walk(archive, module, "", tensors, new HashSet<TorchScriptObject>(ReferenceEqualityComparer.Instance), 0);
                break;
            case PickleDictionary dictionary:
                PickleDictionary stateDict = dictionary.TryGetValue(TrainingCheckpointKey, out object? inner) && inner is PickleDictionary weights
                    ? weights
                    : dictionary;
                foreach ((object key, object? value) in stateDict.Entries)
                {
                    if (key is not string name || value is not TensorReference tensor)
                    {
                        throw new CheckpointFormatException(
                            archive.Path,
                            $"expected a state dict mapping names to tensors, but entry '{key}' contains {Describe(value)}");
                    }

                    tensors.Add((name, tensor));
                }

                break;
            default:
                throw new CheckpointFormatException(
                    archive.Path,
                    $"expected a state dict (a dict of tensors) or a TorchScript module, but the pickle contains {Describe(root)}");
        }

        bool stripPrefix = tensors.Count > 0 && tensors.All(t => t.Key.StartsWith(DataParallelPrefix, StringComparison.Ordinal));
        return tensors
            .Where(t => !(ReleaseScalarKeys.Contains(t.Key) && t.Tensor.Shape.Length == 0))
            .Select(t =>
            {
                TensorReference reference = t.Tensor;
                string key = stripPrefix ? t.Key[DataParallelPrefix.Length..] : t.Key;
                return new CheckpointTensor(key, reference.Storage.DType, reference.Shape, () => archive.ReadTensor(reference));
            })
            .ToList();
    }

    private static void Walk(
        PyTorchArchive archive,
        TorchScriptObject module,
        string prefix,
        List<(string Key, TensorReference Tensor)> tensors,
        HashSet<TorchScriptObject> visited,
        int depth)
    {
        if (depth > MaxModuleDepth || !visited.Add(module))
        {
            throw new CheckpointFormatException(archive.Path, $"the TorchScript module tree is cyclic or deeper than {MaxModuleDepth} levels at '{prefix}'");
        }

        // Attributes come as parameters, buffers, then submodules, which is the order of state_dict().
        // Other attributes (training flags, hook settings, None for an absent bias) are not weights.
        foreach ((object key, object? value) in module.Attributes.Entries)
        {
            if (key is not string name)
            {
                continue;
            }

            switch (value)
            {
                case TensorReference tensor:
                    tensors.Add((prefix + name, tensor));
                    break;
                case TorchScriptObject child:
                    Walk(archive, child, prefix + name + ".", tensors, visited, depth + 1);
                    break;
            }
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        TorchScriptObject o => $"an object of '{o.ClassName}'",
        TensorReference => "a tensor",
        PickleDictionary => "a dict",
        string => "a string",
        long or double or bool => $"the number {value}",
        _ => $"a {value.GetType().Name}",
    };
}
