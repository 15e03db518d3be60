using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>
/// Maps state-dict keys between the Hugging Face transformers <c>CLIPModel</c> layout and the reference
/// (OpenAI) layout that this library's modules use.
/// </summary>
/// <remarks>
/// The two layouts differ in more than names: transformers keeps separate q, k and v projections where the
/// reference packs them row-wise, in q, k, v order, into one <c>in_proj_weight</c> [3D, D] and
/// <c>in_proj_bias</c> [3D]; and its <c>text_projection.weight</c> and <c>visual_projection.weight</c> are
/// linear weights [E, D], the transposes of the reference's <c>text_projection</c> and <c>visual.proj</c>
/// [D, E], which are applied as <c>x @ proj</c>. Older transformers saves also carry
/// <c>position_ids</c> buffers, which hold 0..n-1 and are ignored. Only Vision Transformer models have a
/// transformers layout.
/// </remarks>
public static partial class HuggingFaceClipMapping
{
    private const string TextLayerPrefix = "text_model.encoder.layers.";
    private const string VisionLayerPrefix = "vision_model.encoder.layers.";
    private const string OfficialTextBlockPrefix = "transformer.resblocks.";
    private const string OfficialVisionBlockPrefix = "visual.transformer.resblocks.";
    private const string PackedWeight = "attn.in_proj_weight";
    private const string PackedBias = "attn.in_proj_bias";
    private const int PackedProjections = 3; // q, k, v

    // Keys outside the blocks: transformers name -> reference name.
    private static readonly IReadOnlyDictionary<string, string> GlobalRenames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["text_model.embeddings.token_embedding.weight"] = "token_embedding.weight",
        ["text_model.embeddings.position_embedding.weight"] = "positional_embedding",
        ["text_model.final_layer_norm.weight"] = "ln_final.weight",
        ["text_model.final_layer_norm.bias"] = "ln_final.bias",
        ["vision_model.embeddings.class_embedding"] = "visual.class_embedding",
        ["vision_model.embeddings.patch_embedding.weight"] = "visual.conv1.weight",
        ["vision_model.embeddings.position_embedding.weight"] = "visual.positional_embedding",
        ["vision_model.pre_layrnorm.weight"] = "visual.ln_pre.weight", // "layrnorm" is transformers' spelling.
        ["vision_model.pre_layrnorm.bias"] = "visual.ln_pre.bias",
        ["vision_model.post_layernorm.weight"] = "visual.ln_post.weight",
        ["vision_model.post_layernorm.bias"] = "visual.ln_post.bias",
        ["logit_scale"] = "logit_scale",
    };

    // Projection matrices stored transposed: transformers name -> reference name.
    private static readonly IReadOnlyDictionary<string, string> TransposedRenames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["text_projection.weight"] = "text_projection",
        ["visual_projection.weight"] = "visual.proj",
    };

    // Keys inside one block, after the layer prefix: transformers suffix -> reference suffix.
    private static readonly IReadOnlyDictionary<string, string> BlockRenames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["self_attn.out_proj.weight"] = "attn.out_proj.weight",
        ["self_attn.out_proj.bias"] = "attn.out_proj.bias",
        ["layer_norm1.weight"] = "ln_1.weight",
        ["layer_norm1.bias"] = "ln_1.bias",
        ["layer_norm2.weight"] = "ln_2.weight",
        ["layer_norm2.bias"] = "ln_2.bias",
        ["mlp.fc1.weight"] = "mlp.c_fc.weight",
        ["mlp.fc1.bias"] = "mlp.c_fc.bias",
        ["mlp.fc2.weight"] = "mlp.c_proj.weight",
        ["mlp.fc2.bias"] = "mlp.c_proj.bias",
    };

    // Buffers of older transformers saves that hold arange(n) and carry no weights.
    private static readonly IReadOnlySet<string> IgnoredKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "text_model.embeddings.position_ids",
        "vision_model.embeddings.position_ids",
    };

    private static readonly string[] ProjectionNames = ["q_proj", "k_proj", "v_proj"];

    /// <summary>Whether <paramref name="keys"/> are in the transformers layout (they have <c>text_model.</c> or <c>vision_model.</c> keys).</summary>
    /// <param name="keys">State-dict keys of a checkpoint.</param>
    /// <returns>True for the transformers layout.</returns>
    public static bool IsHuggingFaceLayout(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Any(k => k.StartsWith("text_model.", StringComparison.Ordinal) || k.StartsWith("vision_model.", StringComparison.Ordinal));
    }

    /// <summary>Converts a transformers <c>CLIPModel</c> state dict to the reference layout.</summary>
    /// <param name="tensors">Tensors under transformers names.</param>
    /// <returns>
    /// Tensors under reference names, which the caller owns and disposes: new ones for the packed q/k/v and
    /// transposed projections, aliases sharing memory with the input for renamed float32 tensors. The input
    /// tensors are neither changed nor disposed.
    /// </returns>
    /// <exception cref="StateDictMismatchException">A key has no reference counterpart, or a q/k/v projection is missing.</exception>
    public static Dictionary<string, Tensor> ToReferenceLayout(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var described = tensors.Select(pair => new CheckpointTensor(pair.Key, pair.Value.dtype, pair.Value.shape, () => pair.Value.alias())).ToList();
        MappingResult mapped = ToReferenceLayout(described);
        ThrowIfIncomplete(mapped, "a transformers CLIPModel state dict");
        return mapped.Tensors.ToDictionary(t => t.Name, t => t.Load());
    }

    /// <summary>Converts a reference-layout Vision Transformer state dict to the transformers <c>CLIPModel</c> layout.</summary>
    /// <param name="tensors">Tensors under reference names.</param>
    /// <returns>
    /// New tensors under transformers names (split q/k/v, transposed projections, all contiguous), which the
    /// caller owns and disposes; the input tensors are neither changed nor disposed.
    /// </returns>
    /// <exception cref="ArgumentException">A key has no transformers counterpart (for example a ResNet key).</exception>
    public static Dictionary<string, Tensor> ToHuggingFaceLayout(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var globalInverse = GlobalRenames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        var transposedInverse = TransposedRenames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        var blockInverse = BlockRenames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor tensor) in tensors)
        {
            if (globalInverse.TryGetValue(key, out string? global))
            {
                result[global] = tensor.detach().contiguous().clone();
                continue;
            }

            if (transposedInverse.TryGetValue(key, out string? transposed))
            {
                // [D, E] -> [E, D]
                result[transposed] = tensor.detach().t().contiguous();
                continue;
            }

            (string hfPrefix, string suffix) = SplitReferenceBlockKey(key)
                ?? throw new ArgumentException($"The key '{key}' has no transformers CLIPModel counterpart; only Vision Transformer models map to that layout.", nameof(tensors));
            if (suffix is PackedWeight or PackedBias)
            {
                string kind = suffix == PackedWeight ? "weight" : "bias";

                // [3D, ...] -> three [D, ...] row blocks in q, k, v order.
                Tensor[] parts = tensor.detach().chunk(PackedProjections, 0);
                for (int i = 0; i < PackedProjections; i++)
                {
                    result[$"{hfPrefix}self_attn.{ProjectionNames[i]}.{kind}"] = parts[i].contiguous().clone();
                    parts[i].Dispose();
                }

                continue;
            }

            result[hfPrefix + (blockInverse.TryGetValue(suffix, out string? renamed)
                ? renamed
                : throw new ArgumentException($"The key '{key}' has no transformers CLIPModel counterpart.", nameof(tensors)))] = tensor.detach().contiguous().clone();
        }

        return result;
    }

    /// <summary>Maps lazily described transformers tensors to reference names, reading nothing.</summary>
    internal static MappingResult ToReferenceLayout(IReadOnlyList<CheckpointTensor> tensors)
    {
        var result = new List<CheckpointTensor>();
        var unexpected = new List<string>();
        var missing = new List<string>();

        // Packed projections wait here until all three of q, k, v have been seen.
        var pending = new Dictionary<string, CheckpointTensor?[]>(StringComparer.Ordinal);
        var pendingOrder = new List<string>();
        foreach (CheckpointTensor tensor in tensors)
        {
            string key = tensor.Name;
            if (IgnoredKeys.Contains(key))
            {
                continue;
            }

            if (GlobalRenames.TryGetValue(key, out string? global))
            {
                result.Add(tensor.WithName(global));
                continue;
            }

            if (TransposedRenames.TryGetValue(key, out string? transposed))
            {
                result.Add(tensor.Shape.Count == 2
                    ? tensor.Transform(transposed, [tensor.Shape[1], tensor.Shape[0]], t => t.t().contiguous()) // [E, D] -> [D, E]
                    : tensor.WithName(transposed));
                continue;
            }

            Match match = HuggingFaceBlockKey().Match(key);
            if (!match.Success)
            {
                unexpected.Add(key);
                continue;
            }

            string blockPrefix = (match.Groups["tower"].Value == "text" ? OfficialTextBlockPrefix : OfficialVisionBlockPrefix) + match.Groups["layer"].Value + ".";
            string suffix = match.Groups["suffix"].Value;
            Match projection = ProjectionKey().Match(suffix);
            if (projection.Success)
            {
                string packedKey = blockPrefix + (projection.Groups["kind"].Value == "weight" ? PackedWeight : PackedBias);
                if (!pending.TryGetValue(packedKey, out CheckpointTensor?[]? parts))
                {
                    parts = new CheckpointTensor?[PackedProjections];
                    pending[packedKey] = parts;
                    pendingOrder.Add(packedKey);
                }

                parts[Array.IndexOf(ProjectionNames, projection.Groups["projection"].Value)] = tensor;
                continue;
            }

            if (BlockRenames.TryGetValue(suffix, out string? renamed))
            {
                result.Add(tensor.WithName(blockPrefix + renamed));
            }
            else
            {
                unexpected.Add(key);
            }
        }

        foreach (string packedKey in pendingOrder)
        {
            CheckpointTensor?[] parts = pending[packedKey];
            if (parts.Any(p => p is null))
            {
                // Name the absent projections after a present one: "...self_attn.q_proj.weight" -> "...k_proj...".
                int presentIndex = Array.FindIndex(parts, p => p is not null);
                string present = parts[presentIndex]!.Name;
                missing.AddRange(Enumerable.Range(0, PackedProjections)
                    .Where(i => parts[i] is null)
                    .Select(i => present.Replace($".{ProjectionNames[presentIndex]}.", $".{ProjectionNames[i]}.", StringComparison.Ordinal)));
                continue;
            }

            result.Add(Pack(packedKey, parts!));
        }

        return new MappingResult(result, unexpected, missing);
    }

    private static CheckpointTensor Pack(string key, CheckpointTensor[] parts)
    {
        // Three [D, ...] row blocks in q, k, v order -> [3D, ...].
        long[] shape = [.. parts[0].Shape];
        shape[0] = parts.Sum(p => p.Shape[0]);
        return new CheckpointTensor(key, parts[0].StoredType, shape, () =>
        {
            using var scope = NewDisposeScope();
            Tensor[] loaded = parts.Select(p => p.Load()).ToArray();
            return cat(loaded, 0).MoveToOuterDisposeScope();
        });
    }

    private static (string HuggingFacePrefix, string Suffix)? SplitReferenceBlockKey(string key)
    {
        foreach ((string official, string hf) in new[] { (OfficialVisionBlockPrefix, VisionLayerPrefix), (OfficialTextBlockPrefix, TextLayerPrefix) })
        {
            if (!key.StartsWith(official, StringComparison.Ordinal))
            {
                continue;
            }

            string rest = key[official.Length..];
            int dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], out _))
            {
                return (hf + rest[..(dot + 1)], rest[(dot + 1)..]);
            }
        }

        return null;
    }

    private static void ThrowIfIncomplete(MappingResult mapped, string source)
    {
        if (mapped.UnexpectedKeys.Count > 0 || mapped.MissingKeys.Count > 0)
        {
            throw new StateDictMismatchException(source, mapped.MissingKeys, mapped.UnexpectedKeys, []);
        }
    }

    [GeneratedRegex(@"^(?<tower>text|vision)_model\.encoder\.layers\.(?<layer>\d+)\.(?<suffix>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HuggingFaceBlockKey();

    [GeneratedRegex(@"^self_attn\.(?<projection>[qkv]_proj)\.(?<kind>weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectionKey();

    /// <summary>Tensors under reference names, plus the transformers keys that could not be mapped.</summary>
    internal sealed record MappingResult(IReadOnlyList<CheckpointTensor> Tensors, IReadOnlyList<string> UnexpectedKeys, IReadOnlyList<string> MissingKeys);
}
