using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clip.Modeling;

namespace Clip.Checkpoints;

/// <summary>
/// The parts of a Hugging Face transformers <c>CLIPConfig</c> (<c>config.json</c>) that fix a CLIP model's
/// architecture, read and written in transformers' field names.
/// </summary>
/// <remarks>
/// Missing fields take transformers' defaults (the ViT-B/32 values). The library's model uses QuickGELU,
/// LayerNorm epsilon 1e-5 and an MLP of four times the width, as every OpenAI release does; a config that
/// asks for anything else is rejected rather than loaded into a different network.
/// </remarks>
public sealed record HuggingFaceClipConfig
{
    /// <summary>File name of the configuration in a transformers model folder.</summary>
    public const string FileName = "config.json";

    // transformers' CLIPConfig/CLIPTextConfig/CLIPVisionConfig defaults (transformers 4.x).
    private const int DefaultProjectionDim = 512;
    private const double DefaultLogitScaleInit = 2.6592; // ln(1 / 0.07)
    private const int DefaultTextVocab = 49408;
    private const int DefaultTextWidth = 512;
    private const int DefaultTextHeads = 8;
    private const int DefaultTextLayers = 12;
    private const int DefaultContextLength = 77;
    private const int DefaultVisionWidth = 768;
    private const int DefaultVisionHeads = 12;
    private const int DefaultVisionLayers = 12;
    private const int DefaultImageSize = 224;
    private const int DefaultPatchSize = 32;
    private const int DefaultChannels = 3;
    private const int DefaultPadTokenId = 1;

    // Older OpenAI configs give eos_token_id 2; transformers then pools at argmax(ids), the reference's rule.
    private const int LegacyEndOfTextTokenId = 2;

    // The one activation, epsilon and MLP ratio of the library's blocks (those of every OpenAI release).
    private const string QuickGeluName = "quick_gelu";
    private const double LayerNormEpsilon = 1e-5;
    private const int MlpRatio = 4;

    /// <summary>Joint embedding width (<c>projection_dim</c>).</summary>
    public required int ProjectionDim { get; init; }

    /// <summary>Initial logit scale (<c>logit_scale_init_value</c>); a loaded model uses its <c>logit_scale</c> tensor instead.</summary>
    public double LogitScaleInitValue { get; init; } = DefaultLogitScaleInit;

    /// <summary>Text vocabulary size.</summary>
    public required int TextVocabSize { get; init; }

    /// <summary>Text width (<c>text_config.hidden_size</c>).</summary>
    public required int TextWidth { get; init; }

    /// <summary>Text attention heads.</summary>
    public required int TextHeads { get; init; }

    /// <summary>Text blocks.</summary>
    public required int TextLayers { get; init; }

    /// <summary>Text context length (<c>max_position_embeddings</c>).</summary>
    public required int ContextLength { get; init; }

    /// <summary>Start-of-text token id (<c>bos_token_id</c>).</summary>
    public required int BeginOfTextTokenId { get; init; }

    /// <summary>End-of-text token id (<c>eos_token_id</c>); transformers pools the text at its first occurrence.</summary>
    public required int EndOfTextTokenId { get; init; }

    /// <summary>Padding token id (<c>pad_token_id</c>).</summary>
    public int PadTokenId { get; init; }

    /// <summary>Vision width.</summary>
    public required int VisionWidth { get; init; }

    /// <summary>Vision attention heads.</summary>
    public required int VisionHeads { get; init; }

    /// <summary>Vision blocks.</summary>
    public required int VisionLayers { get; init; }

    /// <summary>Input side length in pixels.</summary>
    public required int ImageSize { get; init; }

    /// <summary>Patch side length.</summary>
    public required int PatchSize { get; init; }

    /// <summary>Reads and validates a <c>config.json</c>.</summary>
    /// <param name="path">Path of the file.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="CheckpointFormatException">The file is not valid JSON, not a CLIP config, or requests an unsupported setting.</exception>
    public static HuggingFaceClipConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, "expected a transformers CLIPConfig in JSON, but the file is not valid JSON", e);
        }

        if (root is not JsonObject config || (config["model_type"]?.GetValue<string>() is string type && type != "clip"))
        {
            throw new CheckpointFormatException(path, "expected a transformers CLIPConfig (model_type \"clip\") in JSON");
        }

        JsonObject text = config["text_config"] as JsonObject ?? [];
        JsonObject vision = config["vision_config"] as JsonObject ?? [];
        int textVocab = Integer(path, text, "vocab_size", DefaultTextVocab);
        var result = new HuggingFaceClipConfig
        {
            ProjectionDim = Integer(path, config, "projection_dim", DefaultProjectionDim),
            LogitScaleInitValue = Number(path, config, "logit_scale_init_value", DefaultLogitScaleInit),
            TextVocabSize = textVocab,
            TextWidth = Integer(path, text, "hidden_size", DefaultTextWidth),
            TextHeads = Integer(path, text, "num_attention_heads", DefaultTextHeads),
            TextLayers = Integer(path, text, "num_hidden_layers", DefaultTextLayers),
            ContextLength = Integer(path, text, "max_position_embeddings", DefaultContextLength),
            BeginOfTextTokenId = Integer(path, text, "bos_token_id", textVocab - 2),
            EndOfTextTokenId = Integer(path, text, "eos_token_id", textVocab - 1),
            PadTokenId = Integer(path, text, "pad_token_id", DefaultPadTokenId),
            VisionWidth = Integer(path, vision, "hidden_size", DefaultVisionWidth),
            VisionHeads = Integer(path, vision, "num_attention_heads", DefaultVisionHeads),
            VisionLayers = Integer(path, vision, "num_hidden_layers", DefaultVisionLayers),
            ImageSize = Integer(path, vision, "image_size", DefaultImageSize),
            PatchSize = Integer(path, vision, "patch_size", DefaultPatchSize),
        };

        foreach ((string tower, JsonObject section, int width) in new[]
        {
            ("text_config", text, result.TextWidth),
            ("vision_config", vision, result.VisionWidth),
        })
        {
            string activation = section["hidden_act"]?.GetValue<string>() ?? QuickGeluName;
            double epsilon = Number(path, section, "layer_norm_eps", LayerNormEpsilon);
            int intermediate = Integer(path, section, "intermediate_size", MlpRatio * width);
            if (activation != QuickGeluName || epsilon != LayerNormEpsilon || intermediate != MlpRatio * width)
            {
                throw new CheckpointFormatException(
                    path,
                    $"{tower} asks for hidden_act '{activation}', layer_norm_eps {epsilon.ToString(CultureInfo.InvariantCulture)} and intermediate_size {intermediate}; "
                    + $"the model supports '{QuickGeluName}', {LayerNormEpsilon.ToString(CultureInfo.InvariantCulture)} and {MlpRatio} x hidden_size ({MlpRatio * width})");
            }
        }

        int channels = Integer(path, vision, "num_channels", DefaultChannels);
        if (channels != DefaultChannels)
        {
            throw new CheckpointFormatException(path, $"vision_config.num_channels is {channels}; the model takes RGB images ({DefaultChannels} channels)");
        }

        return result;
    }

    /// <summary>Creates the transformers configuration of a Vision Transformer model.</summary>
    /// <param name="config">The model configuration.</param>
    /// <returns>The transformers configuration.</returns>
    /// <exception cref="ArgumentException">The model is a ResNet, which transformers has no class for.</exception>
    public static HuggingFaceClipConfig FromClipConfig(ClipConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Vision.Architecture != VisionArchitecture.VisionTransformer)
        {
            throw new ArgumentException($"transformers' CLIPModel has no {config.Vision.Architecture} image encoder; only Vision Transformer models have this layout.", nameof(config));
        }

        return new HuggingFaceClipConfig
        {
            ProjectionDim = config.EmbedDim,
            TextVocabSize = config.Text.VocabSize,
            TextWidth = config.Text.Width,
            TextHeads = config.Text.Heads,
            TextLayers = config.Text.Layers,
            ContextLength = config.Text.ContextLength,
            BeginOfTextTokenId = config.Text.VocabSize - 2,
            EndOfTextTokenId = config.Text.EndOfTextTokenId,
            PadTokenId = 0,
            VisionWidth = config.Vision.Width,
            VisionHeads = config.Vision.Heads,
            VisionLayers = config.Vision.Layers[0],
            ImageSize = config.Vision.ImageResolution,
            PatchSize = config.Vision.PatchSize!.Value,
        };
    }

    /// <summary>Returns the library's configuration of this model.</summary>
    /// <remarks>
    /// An <see cref="EndOfTextTokenId"/> of 2 (older OpenAI configs) means transformers pools at the largest
    /// token id, as the reference does; the library's text encoder then pools at <c>vocab_size - 1</c>.
    /// </remarks>
    /// <returns>The validated configuration.</returns>
    public ClipConfig ToClipConfig()
    {
        int? endOfText = EndOfTextTokenId == LegacyEndOfTextTokenId ? null : EndOfTextTokenId;
        var vision = VisionConfig.VisionTransformer(ImageSize, PatchSize, VisionWidth, VisionLayers, VisionHeads);
        var text = new TextConfig(ContextLength, TextVocabSize, TextWidth, TextHeads, TextLayers, endOfText);
        return new ClipConfig(ProjectionDim, vision, text);
    }

    /// <summary>Writes the configuration as a transformers <c>config.json</c> to <paramref name="path"/>.</summary>
    /// <param name="path">Destination file.</param>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray("CLIPModel"),
            ["model_type"] = "clip",
            ["projection_dim"] = ProjectionDim,
            ["logit_scale_init_value"] = LogitScaleInitValue,
            ["initializer_factor"] = 1.0,
            ["torch_dtype"] = "float32",
            ["text_config"] = new JsonObject
            {
                ["model_type"] = "clip_text_model",
                ["vocab_size"] = TextVocabSize,
                ["hidden_size"] = TextWidth,
                ["intermediate_size"] = MlpRatio * TextWidth,
                ["num_attention_heads"] = TextHeads,
                ["num_hidden_layers"] = TextLayers,
                ["max_position_embeddings"] = ContextLength,
                ["hidden_act"] = QuickGeluName,
                ["layer_norm_eps"] = LayerNormEpsilon,
                ["attention_dropout"] = 0.0,
                ["bos_token_id"] = BeginOfTextTokenId,
                ["eos_token_id"] = EndOfTextTokenId,
                ["pad_token_id"] = PadTokenId,
                ["projection_dim"] = ProjectionDim,
            },
            ["vision_config"] = new JsonObject
            {
                ["model_type"] = "clip_vision_model",
                ["hidden_size"] = VisionWidth,
                ["intermediate_size"] = MlpRatio * VisionWidth,
                ["num_attention_heads"] = VisionHeads,
                ["num_hidden_layers"] = VisionLayers,
                ["image_size"] = ImageSize,
                ["patch_size"] = PatchSize,
                ["num_channels"] = DefaultChannels,
                ["hidden_act"] = QuickGeluName,
                ["layer_norm_eps"] = LayerNormEpsilon,
                ["attention_dropout"] = 0.0,
                ["projection_dim"] = ProjectionDim,
            },
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static int Integer(string path, JsonObject section, string name, int fallback)
    {
        JsonNode? node = section[name];
        if (node is null)
        {
            return fallback;
        }

        return node is JsonValue value && value.TryGetValue(out int number)
            ? number
            : throw new CheckpointFormatException(path, $"'{name}' is {node.ToJsonString()}; expected an integer");
    }

    private static double Number(string path, JsonObject section, string name, double fallback)
    {
        JsonNode? node = section[name];
        if (node is null)
        {
            return fallback;
        }

        return node is JsonValue value && value.TryGetValue(out double number)
            ? number
            : throw new CheckpointFormatException(path, $"'{name}' is {node.ToJsonString()}; expected a number");
    }
}
