using Clip.Checkpoints;
using Clip.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip;

/// <summary>
/// A CLIP model: an image encoder and a text encoder that map into one embedding space, and a learned logit scale.
/// </summary>
/// <remarks>
/// <para>
/// The module tree and its state-dict keys follow OpenAI's reference implementation, so official checkpoints load
/// unchanged: the text tower lives at the top level (<c>token_embedding</c>, <c>positional_embedding</c>,
/// <c>transformer</c>, <c>ln_final</c>, <c>text_projection</c>) and the image tower under <c>visual</c>.
/// </para>
/// <para>
/// Shapes: B batch, R image resolution, L text length (at most the context length C), D text width,
/// E joint embedding width.
/// </para>
/// </remarks>
public sealed partial class ClipModel : nn.Module<Tensor, Tensor, (Tensor LogitsPerImage, Tensor LogitsPerText)>
{
    /// <summary>Initial temperature of the contrastive softmax; the logit scale starts at ln(1 / 0.07) (Radford et al., 2021).</summary>
    public const double InitialTemperature = 0.07;

    /// <summary>During training the scale is clamped so that exp(logit_scale) stays at or below 100 (Radford et al., 2021).</summary>
    public const double MaxLogitScale = 100.0;

    /// <summary>Standard deviation of the token embedding at initialisation (reference value).</summary>
    private const double TokenEmbeddingStd = 0.02;

    /// <summary>Standard deviation of the text positional embedding at initialisation (reference value).</summary>
    private const double TextPositionalEmbeddingStd = 0.01;

    /// <summary>Image channels the encoders take.</summary>
    private const int ImageChannels = 3;

    private readonly CausalMaskCache _causalMasks;

    /// <summary>Text positional embeddings [C, D].</summary>
    internal Parameter positional_embedding;

    /// <summary>Text projection [D, E], applied as <c>x @ text_projection</c>.</summary>
    internal Parameter text_projection;

    /// <summary>Log of the multiplier applied to cosine similarities, a 0-dim parameter.</summary>
    internal Parameter logit_scale;

    /// <summary>The image encoder: a <see cref="VisionTransformer"/> or a <see cref="ModifiedResNet"/>.</summary>
    internal nn.Module<Tensor, Tensor> visual;

    /// <summary>The text transformer, run with a causal mask.</summary>
    internal Modeling.Transformer transformer;

    /// <summary>Token embedding [V, D].</summary>
    internal Embedding token_embedding;

    /// <summary>Final text norm.</summary>
    internal Modeling.LayerNorm ln_final;

    private ClipModel(ClipConfig config, Device? device)
        : base(nameof(ClipModel))
    {
        Config = config;
        var text = config.Text;

        positional_embedding = new Parameter(empty(text.ContextLength, text.Width, device: device));
        text_projection = new Parameter(empty(text.Width, config.EmbedDim, device: device));
        logit_scale = new Parameter(empty(Array.Empty<long>(), device: device));
        visual = config.Vision.Architecture == VisionArchitecture.VisionTransformer
            ? new VisionTransformer(config.Vision, config.EmbedDim, device)
            : new ModifiedResNet(config.Vision, config.EmbedDim, device);
        transformer = new Modeling.Transformer(text.Width, text.Layers, text.Heads, device);
        token_embedding = nn.Embedding(text.VocabSize, text.Width, device: device);
        ln_final = new Modeling.LayerNorm(text.Width, device: device);
        _causalMasks = new CausalMaskCache(text.ContextLength);

        ClipInitialization.Apply(this, TokenEmbeddingStd, TextPositionalEmbeddingStd, InitialTemperature);
        RegisterComponents();
    }

    /// <summary>The configuration the model was built from.</summary>
    public ClipConfig Config { get; }

    /// <summary>The device of the parameters.</summary>
    public Device Device => logit_scale.device;

    /// <summary>The floating-point dtype of the parameters.</summary>
    public ScalarType DType => logit_scale.dtype;

    /// <summary>
    /// The image encoder: a Vision Transformer or a modified ResNet, depending on <see cref="Config"/>. Its
    /// parameters are the ones under the <c>visual.</c> prefix of the state dict; use it to count or freeze them.
    /// </summary>
    public nn.Module<Tensor, Tensor> ImageEncoder => visual;

    /// <summary>
    /// The multiplier applied to cosine similarities to form logits, exp(logit_scale): 1 / 0.07 (about 14.3)
    /// at initialisation and 100 in the published models.
    /// </summary>
    public double LogitScale
    {
        get
        {
            using var scope = NewDisposeScope();
            return logit_scale.detach().to(ScalarType.Float64).exp().item<double>();
        }
    }

    /// <summary>Creates a model with freshly initialised weights, in training mode as a new module is.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="device">Where to allocate the parameters; null means CPU. The meta device allocates nothing.</param>
    /// <returns>The model; the caller disposes it.</returns>
    public static ClipModel Create(ClipConfig config, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ClipModel(config, device);
    }

    /// <summary>Encodes images into the joint embedding space.</summary>
    /// <param name="pixels">Normalised images [B, 3, R, R], floating point; converted to the model's dtype and device.</param>
    /// <param name="normalize">Whether to L2-normalise each row.</param>
    /// <returns>Image features [B, E] in the model's dtype on its device; the caller owns and disposes them.</returns>
    /// <remarks>In eval mode this runs without building an autograd graph; in training mode it records one.</remarks>
    /// <exception cref="ArgumentException">The shape, channel count, resolution or dtype is wrong.</exception>
    public Tensor EncodeImage(Tensor pixels, bool normalize = false)
    {
        ValidatePixels(pixels, nameof(pixels));
        using var gradMode = training ? null : no_grad();
        using var scope = NewDisposeScope();
        var features = EncodeImageCore(pixels);
        return (normalize ? Normalize(features) : features).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes token rows into the joint embedding space, pooling at the first end-of-text token.</summary>
    /// <param name="tokens">Token ids [B, L], int64, L at most the context length, each row holding the end-of-text id.</param>
    /// <param name="normalize">Whether to L2-normalise each row.</param>
    /// <returns>Text features [B, E] in the model's dtype on its device; the caller owns and disposes them.</returns>
    /// <remarks>In eval mode this runs without building an autograd graph; in training mode it records one.</remarks>
    /// <exception cref="ArgumentException">The shape or dtype is wrong, an id is outside the vocabulary, or a row has no end-of-text token.</exception>
    public Tensor EncodeText(Tensor tokens, bool normalize = false)
    {
        ValidateTokens(tokens, nameof(tokens));
        using var gradMode = training ? null : no_grad();
        using var scope = NewDisposeScope();
        var features = EncodeTextCore(tokens);
        return (normalize ? Normalize(features) : features).MoveToOuterDisposeScope();
    }

    /// <summary>Computes the scaled cosine similarities between every image and every text of a batch.</summary>
    /// <param name="pixels">Normalised images [B, 3, R, R].</param>
    /// <param name="tokens">Token ids [B, L], int64.</param>
    /// <returns>
    /// <c>logits_per_image</c> [B, B] (exp(logit_scale) times the cosine similarity of image i and text j) and its
    /// transpose <c>logits_per_text</c>; the caller owns and disposes both.
    /// </returns>
    /// <remarks>
    /// Gradients follow the ambient autograd mode (this method does not switch it). In training mode the scale is
    /// clamped to at most 100 before use.
    /// </remarks>
    /// <exception cref="ArgumentException">An input is invalid or the batch sizes differ.</exception>
    public override (Tensor LogitsPerImage, Tensor LogitsPerText) forward(Tensor pixels, Tensor tokens)
    {
        ValidatePixels(pixels, nameof(pixels));
        ValidateTokens(tokens, nameof(tokens));
        if (pixels.shape[0] != tokens.shape[0])
        {
            throw new ArgumentException(
                $"Images and texts must have the same batch size: pixels has {pixels.shape[0]} rows, tokens has {tokens.shape[0]}.",
                nameof(tokens));
        }

        using var scope = NewDisposeScope();
        var imageFeatures = Normalize(EncodeImageCore(pixels));
        var textFeatures = Normalize(EncodeTextCore(tokens));

        var scale = training ? logit_scale.ClampMax(Math.Log(MaxLogitScale)).exp() : logit_scale.exp();
        var logitsPerImage = scale * imageFeatures.matmul(textFeatures.t()); // [B, E] x [E, B] -> [B, B]
        var logitsPerText = logitsPerImage.t();
        return (logitsPerImage.MoveToOuterDisposeScope(), logitsPerText.MoveToOuterDisposeScope());
    }

    /// <summary>Computes the symmetric contrastive loss of a batch of matching (image, text) pairs.</summary>
    /// <param name="pixels">Normalised images [B, 3, R, R].</param>
    /// <param name="tokens">Token ids [B, L]; row i describes image i.</param>
    /// <returns>The three 0-dim losses; the caller disposes the output.</returns>
    /// <remarks>Gradients follow the ambient autograd mode; call <c>Loss.backward()</c> to train.</remarks>
    public ContrastiveLossOutput Loss(Tensor pixels, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (logitsPerImage, logitsPerText) = forward(pixels, tokens);
        var output = ContrastiveLoss.Compute(logitsPerImage, logitsPerText);
        output.Loss.MoveToOuterDisposeScope();
        output.ImageLoss.MoveToOuterDisposeScope();
        output.TextLoss.MoveToOuterDisposeScope();
        return output;
    }

    /// <summary>Clamps the logit scale parameter in place to [0, ln 100], as the reference training does after each step.</summary>
    public void ClampLogitScale()
    {
        using var gradMode = no_grad();
        logit_scale.Clamp_(0.0, Math.Log(MaxLogitScale));
    }

    /// <summary>Returns the state dict in the reference order: each module's parameters, then its buffers, then its children.</summary>
    /// <param name="destination">Dictionary to add to; null creates one.</param>
    /// <param name="prefix">Key prefix, or null.</param>
    /// <returns>Key to tensor; the tensors are the model's own, so do not dispose them.</returns>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= new Dictionary<string, Tensor>();
        foreach (var entry in StateDictEntries.Enumerate(this, prefix ?? string.Empty))
        {
            destination.TryAdd(entry.Name, entry.Tensor);
        }

        return destination;
    }

    /// <summary>Copies tensors into the model's parameters and buffers, after checking every key and shape.</summary>
    /// <param name="source">Key to tensor, in any dtype and on any device (values are converted on copy).</param>
    /// <param name="strict">When true, a missing or unexpected key is an error; when false, they are reported.</param>
    /// <returns>The keys the model has but the source lacks, and the keys the source has but the model lacks.</returns>
    /// <exception cref="ArgumentException">A shape differs, or (when strict) a key is missing or unexpected; nothing is copied then.</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = StateDictEntries.Enumerate(this, string.Empty).ToList();
        var result = StateDictEntries.Check(target, source, strict);

        using var gradMode = no_grad();
        foreach (var entry in target)
        {
            if (source.TryGetValue(entry.Name, out var value))
            {
                entry.Tensor.copy_(value);
            }
        }

        return result;
    }

    /// <summary>Writes the state dict to a safetensors file, in the reference key order.</summary>
    /// <param name="path">Destination file; it is replaced if it exists.</param>
    /// <param name="metadata">Optional string metadata stored under <c>__metadata__</c>.</param>
    public void SaveSafetensors(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = StateDictEntries.Enumerate(this, string.Empty).Select(entry => (entry.Name, entry.Tensor)).ToList();
        SafeTensors.Save(path, entries, metadata);
    }

    /// <summary>Loads weights from a safetensors file whose header is validated before any tensor is allocated.</summary>
    /// <param name="path">A safetensors file with the model's keys.</param>
    /// <param name="strict">When true, a missing or unexpected key is an error.</param>
    /// <returns>The missing and unexpected keys.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    /// <exception cref="ArgumentException">A key or shape does not match the model.</exception>
    public StateDictLoadResult LoadSafetensors(string path, bool strict = true)
    {
        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Load(path);
        return LoadStateDict(tensors, strict);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _causalMasks.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Runs the image tower; the result is in the caller's dispose scope.</summary>
    private Tensor EncodeImageCore(Tensor pixels) => visual.call(pixels.to(DType, Device));

    /// <summary>Runs the text tower; the result is in the caller's dispose scope.</summary>
    private Tensor EncodeTextCore(Tensor tokens)
    {
        tokens = tokens.to(Device);
        long batch = tokens.shape[0], length = tokens.shape[1];

        var x = token_embedding.call(tokens);                                  // [B, L, D]
        x = x.Plus(positional_embedding[..(int)length].to(x.dtype));
        var mask = _causalMasks.Get(x.device, x.dtype)[..(int)length, ..(int)length]; // [L, L]
        x = transformer.call(x, mask);
        x = ln_final.call(x);

        var endPositions = tokens.EqScalar(Config.Text.EndOfTextTokenId).to(ScalarType.Int32).argmax(-1); // first occurrence, [B]
        var rows = ScalarArguments.Range(0, batch, tokens.device);
        var pooled = x.index(new[] { TensorIndex.Tensor(rows), TensorIndex.Tensor(endPositions) }); // [B, D]
        return pooled.matmul(text_projection);                                 // [B, D] x [D, E] -> [B, E]
    }

    private static Tensor Normalize(Tensor features) => features / features.norm(1, keepdim: true);

    private void ValidatePixels(Tensor pixels, string name)
    {
        ArgumentNullException.ThrowIfNull(pixels, name);
        int resolution = Config.Vision.ImageResolution;
        string expected = $"[B, {ImageChannels}, {resolution}, {resolution}]";
        if (pixels.dim() != 4 || pixels.shape[1] != ImageChannels || pixels.shape[2] != resolution || pixels.shape[3] != resolution)
        {
            throw new ArgumentException($"Expected images of shape {expected}, got [{string.Join(", ", pixels.shape)}].", name);
        }

        if (!pixels.is_floating_point())
        {
            throw new ArgumentException($"Expected floating-point pixels, got {pixels.dtype}.", name);
        }

        if (pixels.shape[0] == 0)
        {
            throw new ArgumentException($"Expected at least one image of shape {expected}, got an empty batch.", name);
        }
    }

    private void ValidateTokens(Tensor tokens, string name)
    {
        ArgumentNullException.ThrowIfNull(tokens, name);
        var text = Config.Text;
        if (tokens.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected int64 token ids, got {tokens.dtype}.", name);
        }

        if (tokens.dim() != 2 || tokens.shape[0] == 0 || tokens.shape[1] == 0 || tokens.shape[1] > text.ContextLength)
        {
            throw new ArgumentException(
                $"Expected token ids of shape [B, L] with B >= 1 and 1 <= L <= {text.ContextLength} (the context length), got [{string.Join(", ", tokens.shape)}].",
                name);
        }

        using var scope = NewDisposeScope();
        long min = tokens.min().item<long>();
        long max = tokens.max().item<long>();
        if (min < 0 || max >= text.VocabSize)
        {
            throw new ArgumentException($"Expected token ids in [0, {text.VocabSize - 1}], got values in [{min}, {max}].", name);
        }

        var hasEnd = tokens.EqScalar(text.EndOfTextTokenId).any(-1);
        if (!hasEnd.all().item<bool>())
        {
            long row = hasEnd.logical_not().to(ScalarType.Int32).argmax().item<long>();
            throw new ArgumentException($"Row {row} of the token ids has no end-of-text token (id {text.EndOfTextTokenId}).", name);
        }
    }
}
