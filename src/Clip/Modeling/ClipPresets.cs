namespace Clip.Modeling;

/// <summary>
/// Named model configurations: the nine architectures OpenAI published and small presets for CPU tests and demos.
/// </summary>
/// <remarks>
/// The published rows reproduce the constructor arguments of OpenAI's released checkpoints (context length 77,
/// vocabulary 49,408, text heads = text width / 64). The small presets use the same vocabulary, so that the
/// OpenAI tokenizer's ids fit them.
/// </remarks>
public static class ClipPresets
{
    /// <summary>Context length of the published models.</summary>
    public const int PublishedContextLength = 77;

    /// <summary>Vocabulary size of the published models (OpenAI's byte-level BPE with two special tokens).</summary>
    public const int PublishedVocabSize = 49408;

    /// <summary>Published text models use one head per 64 channels.</summary>
    private const int PublishedTextHeadWidth = 64;

    /// <summary>A ViT with 32 px inputs and two blocks per tower; a forward pass takes milliseconds on a CPU.</summary>
    public const string VitTiny = "vit-tiny";

    /// <summary>A modified ResNet with one bottleneck per stage and 64 px inputs.</summary>
    public const string ResNetTiny = "rn-tiny";

    /// <summary>A ViT sized for demos that train on a CPU: 64 px, width 128, four blocks per tower, context 32.</summary>
    public const string VitDemo = "vit-demo";

    private static readonly (string Name, Func<ClipConfig> Create)[] Table =
    {
        ("RN50", () => Published(1024, VisionConfig.ModifiedResNet(224, 64, new[] { 3, 4, 6, 3 }), 512)),
        ("RN101", () => Published(512, VisionConfig.ModifiedResNet(224, 64, new[] { 3, 4, 23, 3 }), 512)),
        ("RN50x4", () => Published(640, VisionConfig.ModifiedResNet(288, 80, new[] { 4, 6, 10, 6 }), 640)),
        ("RN50x16", () => Published(768, VisionConfig.ModifiedResNet(384, 96, new[] { 6, 8, 18, 8 }), 768)),
        ("RN50x64", () => Published(1024, VisionConfig.ModifiedResNet(448, 128, new[] { 3, 15, 36, 10 }), 1024)),
        ("ViT-B/32", () => Published(512, VisionConfig.VisionTransformer(224, 32, 768, 12), 512)),
        ("ViT-B/16", () => Published(512, VisionConfig.VisionTransformer(224, 16, 768, 12), 512)),
        ("ViT-L/14", () => Published(768, VisionConfig.VisionTransformer(224, 14, 1024, 24), 768)),
        ("ViT-L/14@336px", () => Published(768, VisionConfig.VisionTransformer(336, 14, 1024, 24), 768)),
        (VitTiny, () => new ClipConfig(
            32,
            VisionConfig.VisionTransformer(imageResolution: 32, patchSize: 8, width: 64, layers: 2),
            new TextConfig(PublishedContextLength, PublishedVocabSize, width: 64, heads: 2, layers: 2))),
        (ResNetTiny, () => new ClipConfig(
            64,
            VisionConfig.ModifiedResNet(imageResolution: 64, width: 32, stageLayers: new[] { 1, 1, 1, 1 }, heads: 16),
            new TextConfig(PublishedContextLength, PublishedVocabSize, width: 64, heads: 4, layers: 2))),
        (VitDemo, () => new ClipConfig(
            128,
            VisionConfig.VisionTransformer(imageResolution: 64, patchSize: 8, width: 128, layers: 4, heads: 2),
            new TextConfig(contextLength: 32, PublishedVocabSize, width: 128, heads: 2, layers: 4))),
    };

    /// <summary>The names of the nine published architectures, in release order.</summary>
    public static IReadOnlyList<string> PublishedNames { get; } = Table.Take(9).Select(row => row.Name).ToArray();

    /// <summary>Every preset name, published ones first.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(row => row.Name).ToArray();

    /// <summary>Returns the configuration of a preset.</summary>
    /// <param name="name">A name from <see cref="Names"/>, compared case-insensitively.</param>
    /// <returns>A new configuration instance.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid names.</exception>
    public static ClipConfig Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (presetName, create) in Table)
        {
            if (string.Equals(presetName, name, StringComparison.OrdinalIgnoreCase))
            {
                return create();
            }
        }

        throw new ArgumentException($"Unknown CLIP preset '{name}'. Valid presets: {string.Join(", ", Names)}.", nameof(name));
    }

    private static ClipConfig Published(int embedDim, VisionConfig vision, int textWidth) =>
        new(embedDim, vision, new TextConfig(PublishedContextLength, PublishedVocabSize, textWidth, textWidth / PublishedTextHeadWidth, layers: 12));
}
