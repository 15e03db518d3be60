namespace Clip.Modeling;

/// <summary>
/// Hyperparameters of the image encoder, immutable and validated on construction.
/// </summary>
/// <remarks>
/// For a Vision Transformer, <see cref="Layers"/> has one element (the number of residual attention blocks)
/// and <see cref="PatchSize"/> is set. For a modified ResNet, <see cref="Layers"/> has four elements (the
/// bottleneck blocks of each stage) and <see cref="PatchSize"/> is null.
/// </remarks>
public sealed record VisionConfig
{
    /// <summary>Width of one attention head in the published models; the default head count is width / 64.</summary>
    public const int DefaultHeadWidth = 64;

    /// <summary>The ResNet's attention pool works on width * 32 channels (width * 8 planes, expansion 4).</summary>
    public const int ResNetEmbedMultiplier = 32;

    /// <summary>Total downsampling factor of the modified ResNet: stride-2 stem, 2x2 pool, three stride-2 stages.</summary>
    public const int ResNetDownsampling = 32;

    /// <summary>Number of stages of the modified ResNet.</summary>
    public const int ResNetStageCount = 4;

    private readonly int[] _layers;

    /// <summary>Creates a validated vision configuration.</summary>
    /// <param name="architecture">The encoder kind.</param>
    /// <param name="imageResolution">Input side length in pixels; inputs are [B, 3, R, R].</param>
    /// <param name="width">Transformer width, or the ResNet's base channel count.</param>
    /// <param name="layers">One block count (ViT) or four stage block counts (ResNet).</param>
    /// <param name="patchSize">Patch side length (ViT only; null for the ResNet).</param>
    /// <param name="heads">Attention heads; null derives the reference value (width / 64 for the ViT, at least one; width * 32 / 64 for the ResNet).</param>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent with the architecture.</exception>
    public VisionConfig(VisionArchitecture architecture, int imageResolution, int width, IReadOnlyList<int> layers, int? patchSize, int? heads = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (!Enum.IsDefined(architecture))
        {
            throw new ArgumentException($"Unknown vision architecture {(int)architecture}.", nameof(architecture));
        }

        RequirePositive(imageResolution, nameof(imageResolution));
        RequirePositive(width, nameof(width));
        foreach (int count in layers)
        {
            RequirePositive(count, nameof(layers));
        }

        Architecture = architecture;
        ImageResolution = imageResolution;
        Width = width;
        _layers = layers.ToArray();

        if (architecture == VisionArchitecture.VisionTransformer)
        {
            ValidateVisionTransformer(imageResolution, layers, patchSize);
            PatchSize = patchSize;
            Heads = heads ?? Math.Max(1, width / DefaultHeadWidth);
        }
        else
        {
            ValidateResNet(imageResolution, layers, patchSize);
            PatchSize = null;
            Heads = heads ?? width * ResNetEmbedMultiplier / DefaultHeadWidth;
        }

        RequirePositive(Heads, nameof(heads));
        if (AttentionWidth % Heads != 0)
        {
            throw new ArgumentException($"heads = {Heads} must divide the attention width {AttentionWidth}.", nameof(heads));
        }
    }

    /// <summary>The encoder kind.</summary>
    public VisionArchitecture Architecture { get; }

    /// <summary>Input side length in pixels.</summary>
    public int ImageResolution { get; }

    /// <summary>Transformer width (ViT) or base channel count (ResNet).</summary>
    public int Width { get; }

    /// <summary>Block counts: one element (ViT) or four (ResNet stages).</summary>
    public IReadOnlyList<int> Layers => _layers;

    /// <summary>Patch side length of the ViT; null for the ResNet.</summary>
    public int? PatchSize { get; }

    /// <summary>Attention heads of the ViT blocks or of the ResNet's attention pool.</summary>
    public int Heads { get; }

    /// <summary>Channel width that attention runs on: the ViT width, or width * 32 for the ResNet's attention pool.</summary>
    public int AttentionWidth => Architecture == VisionArchitecture.VisionTransformer ? Width : Width * ResNetEmbedMultiplier;

    /// <summary>Side length of the final feature grid: R / patch (ViT) or R / 32 (ResNet).</summary>
    public int GridSize => Architecture == VisionArchitecture.VisionTransformer
        ? ImageResolution / PatchSize!.Value
        : ImageResolution / ResNetDownsampling;

    /// <summary>Creates a Vision Transformer configuration.</summary>
    /// <param name="imageResolution">Input side length in pixels, a multiple of <paramref name="patchSize"/>.</param>
    /// <param name="patchSize">Patch side length.</param>
    /// <param name="width">Transformer width.</param>
    /// <param name="layers">Number of residual attention blocks.</param>
    /// <param name="heads">Attention heads; null means width / 64 (at least one).</param>
    /// <returns>The validated configuration.</returns>
    public static VisionConfig VisionTransformer(int imageResolution, int patchSize, int width, int layers, int? heads = null) =>
        new(VisionArchitecture.VisionTransformer, imageResolution, width, new[] { layers }, patchSize, heads);

    /// <summary>Creates a modified ResNet configuration.</summary>
    /// <param name="imageResolution">Input side length in pixels, a multiple of 32.</param>
    /// <param name="width">Base channel count (the stem's output width).</param>
    /// <param name="stageLayers">Bottleneck blocks in each of the four stages.</param>
    /// <param name="heads">Heads of the attention pool; null means width * 32 / 64.</param>
    /// <returns>The validated configuration.</returns>
    public static VisionConfig ModifiedResNet(int imageResolution, int width, IReadOnlyList<int> stageLayers, int? heads = null) =>
        new(VisionArchitecture.ModifiedResNet, imageResolution, width, stageLayers, null, heads);

    /// <inheritdoc/>
    public bool Equals(VisionConfig? other) =>
        other is not null
        && Architecture == other.Architecture
        && ImageResolution == other.ImageResolution
        && Width == other.Width
        && _layers.AsSpan().SequenceEqual(other._layers)
        && PatchSize == other.PatchSize
        && Heads == other.Heads;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Architecture);
        hash.Add(ImageResolution);
        hash.Add(Width);
        foreach (int count in _layers)
        {
            hash.Add(count);
        }

        hash.Add(PatchSize);
        hash.Add(Heads);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"VisionConfig {{ {Architecture}, resolution {ImageResolution}, width {Width}, layers [{string.Join(", ", _layers)}], patch {PatchSize?.ToString() ?? "none"}, heads {Heads} }}";

    private static void ValidateVisionTransformer(int imageResolution, IReadOnlyList<int> layers, int? patchSize)
    {
        if (layers.Count != 1)
        {
            throw new ArgumentException($"A Vision Transformer takes one block count, got {layers.Count} values [{string.Join(", ", layers)}].", nameof(layers));
        }

        if (patchSize is not int patch || patch <= 0)
        {
            throw new ArgumentException($"A Vision Transformer needs a positive patch size, got {patchSize?.ToString() ?? "null"}.", nameof(patchSize));
        }

        if (imageResolution % patch != 0)
        {
            throw new ArgumentException($"imageResolution = {imageResolution} must be a multiple of the patch size {patch}.", nameof(imageResolution));
        }
    }

    private static void ValidateResNet(int imageResolution, IReadOnlyList<int> layers, int? patchSize)
    {
        if (layers.Count != ResNetStageCount)
        {
            throw new ArgumentException($"A modified ResNet takes {ResNetStageCount} stage block counts, got {layers.Count} values [{string.Join(", ", layers)}].", nameof(layers));
        }

        if (patchSize is not null)
        {
            throw new ArgumentException($"A modified ResNet has no patch size, got {patchSize}.", nameof(patchSize));
        }

        if (imageResolution % ResNetDownsampling != 0)
        {
            throw new ArgumentException($"imageResolution = {imageResolution} must be a multiple of {ResNetDownsampling} for a modified ResNet.", nameof(imageResolution));
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}.", name);
        }
    }
}
