namespace Clip.Modeling;

/// <summary>Hyperparameters of a CLIP model: both towers and the joint embedding width.</summary>
public sealed record ClipConfig
{
    /// <summary>Creates a validated configuration.</summary>
    /// <param name="embedDim">Width of the joint embedding space.</param>
    /// <param name="vision">The image encoder.</param>
    /// <param name="text">The text encoder.</param>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not positive.</exception>
    public ClipConfig(int embedDim, VisionConfig vision, TextConfig text)
    {
        ArgumentNullException.ThrowIfNull(vision);
        ArgumentNullException.ThrowIfNull(text);
        if (embedDim <= 0)
        {
            throw new ArgumentException($"embedDim must be positive, got {embedDim}.", nameof(embedDim));
        }

        EmbedDim = embedDim;
        Vision = vision;
        Text = text;
    }

    /// <summary>Width of the joint embedding space.</summary>
    public int EmbedDim { get; }

    /// <summary>The image encoder.</summary>
    public VisionConfig Vision { get; }

    /// <summary>The text encoder.</summary>
    public TextConfig Text { get; }

    /// <summary>
    /// Creates a configuration from the ten constructor arguments of OpenAI's reference <c>CLIP</c> class.
    /// </summary>
    /// <param name="embedDim">Joint embedding width.</param>
    /// <param name="imageResolution">Input side length in pixels.</param>
    /// <param name="visionLayers">One value selects the Vision Transformer; four select the modified ResNet.</param>
    /// <param name="visionWidth">Vision width.</param>
    /// <param name="visionPatchSize">ViT patch size; null for the ResNet.</param>
    /// <param name="contextLength">Text context length.</param>
    /// <param name="vocabSize">Text vocabulary size.</param>
    /// <param name="transformerWidth">Text width.</param>
    /// <param name="transformerHeads">Text attention heads.</param>
    /// <param name="transformerLayers">Text blocks.</param>
    /// <returns>The validated configuration, with vision heads derived as the reference does.</returns>
    public static ClipConfig FromReferenceArguments(
        int embedDim,
        int imageResolution,
        IReadOnlyList<int> visionLayers,
        int visionWidth,
        int? visionPatchSize,
        int contextLength,
        int vocabSize,
        int transformerWidth,
        int transformerHeads,
        int transformerLayers)
    {
        ArgumentNullException.ThrowIfNull(visionLayers);
        var architecture = visionLayers.Count == 1 ? VisionArchitecture.VisionTransformer : VisionArchitecture.ModifiedResNet;
        var vision = new VisionConfig(architecture, imageResolution, visionWidth, visionLayers, visionPatchSize);
        var text = new TextConfig(contextLength, vocabSize, transformerWidth, transformerHeads, transformerLayers);
        return new ClipConfig(embedDim, vision, text);
    }
}
