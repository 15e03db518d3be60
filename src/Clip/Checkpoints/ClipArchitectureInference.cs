using Clip.Modeling;

namespace Clip.Checkpoints;

/// <summary>
/// Infers a CLIP model's configuration from the shapes of a reference-layout state dict, with the rules of
/// OpenAI's <c>build_model</c>.
/// </summary>
/// <remarks>
/// Every hyperparameter but one follows from the shapes: the text head count does not, because it only
/// changes how the attention splits its width. Like the reference, inference assumes width / 64 heads,
/// which holds for all OpenAI releases; a checkpoint trained with other heads needs them stated (a
/// configuration file, or the <c>textHeads</c> argument), or its text features come out wrong.
/// </remarks>
public static class ClipArchitectureInference
{
    // Width of one attention head in the released models (reference: transformer_width // 64).
    private const int HeadWidth = 64;

    // A ResNet's image side is its attention-pool grid side times its total stride (32).
    private const int ResNetDownsampling = 32;

    private const int ResNetStages = 4;

    /// <summary>Infers the configuration from tensor shapes.</summary>
    /// <param name="shapes">Reference-layout keys and their shapes.</param>
    /// <param name="source">The checkpoint, named in error messages.</param>
    /// <param name="textHeads">Text attention heads; null assumes text width / 64, as the reference does.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="CheckpointFormatException">A tensor that inference needs is missing or has an impossible shape.</exception>
    public static ClipConfig Infer(IReadOnlyDictionary<string, IReadOnlyList<long>> shapes, string source, int? textHeads = null)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(source);

        IReadOnlyList<long> Shape(string key, int rank) =>
            shapes.TryGetValue(key, out IReadOnlyList<long>? shape) && shape.Count == rank
                ? shape
                : throw new CheckpointFormatException(
                    source,
                    shape is null
                        ? $"cannot infer the architecture: the key '{key}' is missing (expected a CLIP state dict in the OpenAI layout)"
                        : $"cannot infer the architecture: '{key}' has shape [{string.Join(", ", shape)}], expected {rank} dimensions");

        int embedDim = checked((int)Shape("text_projection", 2)[1]);
        int contextLength = checked((int)Shape("positional_embedding", 2)[0]);
        int vocabSize = checked((int)Shape("token_embedding.weight", 2)[0]);
        int textWidth = checked((int)Shape("ln_final.weight", 1)[0]);
        int textLayers = CountIndices(shapes.Keys, "transformer.resblocks.");

        try
        {
            VisionConfig vision = InferVision(shapes, source, Shape);
            var text = new TextConfig(contextLength, vocabSize, textWidth, textHeads ?? Math.Max(1, textWidth / HeadWidth), textLayers);
            return new ClipConfig(embedDim, vision, text);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(source, $"the tensor shapes do not describe a valid CLIP model: {e.Message}", e);
        }
    }

    private static VisionConfig InferVision(
        IReadOnlyDictionary<string, IReadOnlyList<long>> shapes,
        string source,
        Func<string, int, IReadOnlyList<long>> shape)
    {
        if (shapes.ContainsKey("visual.proj"))
        {
            // Vision Transformer: the reference tells the two encoders apart by this key.
            IReadOnlyList<long> conv = shape("visual.conv1.weight", 4);
            int width = checked((int)conv[0]);
            int patch = checked((int)conv[3]);
            long tokens = shape("visual.positional_embedding", 2)[0];
            int grid = (int)Math.Round(Math.Sqrt(tokens - 1));
            if (grid * grid != tokens - 1)
            {
                throw new CheckpointFormatException(source, $"cannot infer the image size: visual.positional_embedding has {tokens} rows, which is not a square grid plus one class token");
            }

            int layers = CountIndices(shapes.Keys, "visual.transformer.resblocks.");
            return VisionConfig.VisionTransformer(grid * patch, patch, width, layers);
        }
        else
        {
            int[] stages = Enumerable.Range(1, ResNetStages).Select(stage => CountIndices(shapes.Keys, $"visual.layer{stage}.")).ToArray();
            int width = checked((int)shape("visual.layer1.0.conv1.weight", 4)[0]);
            long tokens = shape("visual.attnpool.positional_embedding", 2)[0];
            int grid = (int)Math.Round(Math.Sqrt(tokens - 1));
            if (grid * grid != tokens - 1)
            {
                throw new CheckpointFormatException(source, $"cannot infer the image size: visual.attnpool.positional_embedding has {tokens} rows, which is not a square grid plus one query token");
            }

            return VisionConfig.ModifiedResNet(grid * ResNetDownsampling, width, stages);
        }
    }

    /// <summary>Counts the distinct block indices that follow <paramref name="prefix"/> in the keys.</summary>
    private static int CountIndices(IEnumerable<string> keys, string prefix) =>
        keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')[0])
            .Distinct(StringComparer.Ordinal)
            .Count();
}
