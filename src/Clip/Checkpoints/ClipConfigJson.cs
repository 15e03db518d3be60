using System.Text.Json;
using System.Text.Json.Nodes;
using Clip.Modeling;

namespace Clip.Checkpoints;

/// <summary>
/// Reads and writes a <see cref="ClipConfig"/> as JSON holding the ten constructor arguments of OpenAI's
/// reference <c>CLIP</c> class (<c>embed_dim</c>, <c>image_resolution</c>, <c>vision_layers</c>,
/// <c>vision_width</c>, <c>vision_patch_size</c>, <c>context_length</c>, <c>vocab_size</c>,
/// <c>transformer_width</c>, <c>transformer_heads</c>, <c>transformer_layers</c>), plus the optional
/// <c>vision_heads</c> and <c>end_of_text_token_id</c> when they differ from the reference's derived values.
/// </summary>
/// <remarks>
/// An integer <c>vision_layers</c> selects the Vision Transformer and a list of four the modified ResNet,
/// as in the reference. Models saved in the OpenAI layout carry this file as <see cref="FileName"/>, because
/// the text head count cannot be read from the weights.
/// </remarks>
public static class ClipConfigJson
{
    /// <summary>File name of the configuration beside OpenAI-layout weights in a saved model folder.</summary>
    public const string FileName = "clip_config.json";

    /// <summary>Reads a configuration file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="CheckpointFormatException">The file is not valid JSON, lacks an argument, or has an invalid one.</exception>
    public static ClipConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a configuration from JSON text.</summary>
    /// <param name="json">The JSON object.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="CheckpointFormatException">The text is not valid JSON, lacks an argument, or has an invalid one.</exception>
    public static ClipConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject config;
        try
        {
            config = JsonNode.Parse(json) as JsonObject ?? throw new CheckpointFormatException(source, "expected a JSON object of CLIP constructor arguments");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, "expected a JSON object of CLIP constructor arguments, but the text is not valid JSON", e);
        }

        try
        {
            int[] visionLayers = config["vision_layers"] switch
            {
                JsonArray stages => stages.Select(s => s!.GetValue<int>()).ToArray(),
                JsonValue single => [single.GetValue<int>()],
                _ => throw new CheckpointFormatException(source, "'vision_layers' is missing; expected an integer (ViT) or a list of four (ResNet)"),
            };
            int imageResolution = Required(config, "image_resolution", source);
            int visionWidth = Required(config, "vision_width", source);
            int? patchSize = config["vision_patch_size"]?.GetValue<int>();
            int? visionHeads = config["vision_heads"]?.GetValue<int>();
            VisionConfig vision = visionLayers.Length == 1
                ? VisionConfig.VisionTransformer(imageResolution, patchSize ?? 0, visionWidth, visionLayers[0], visionHeads)
                : VisionConfig.ModifiedResNet(imageResolution, visionWidth, visionLayers, visionHeads);
            var text = new TextConfig(
                Required(config, "context_length", source),
                Required(config, "vocab_size", source),
                Required(config, "transformer_width", source),
                Required(config, "transformer_heads", source),
                Required(config, "transformer_layers", source),
                config["end_of_text_token_id"]?.GetValue<int>());
            return new ClipConfig(Required(config, "embed_dim", source), vision, text);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException(source, $"invalid CLIP configuration: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="path">Destination file.</param>
    public static void Write(ClipConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, ToJson(config));
    }

    /// <summary>Returns <paramref name="config"/> as indented JSON.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(ClipConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        VisionConfig vision = config.Vision;
        bool isVit = vision.Architecture == VisionArchitecture.VisionTransformer;
        var json = new JsonObject
        {
            ["embed_dim"] = config.EmbedDim,
            ["image_resolution"] = vision.ImageResolution,
            ["vision_layers"] = isVit ? JsonValue.Create(vision.Layers[0]) : new JsonArray(vision.Layers.Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
            ["vision_width"] = vision.Width,
            ["vision_patch_size"] = vision.PatchSize,
            ["context_length"] = config.Text.ContextLength,
            ["vocab_size"] = config.Text.VocabSize,
            ["transformer_width"] = config.Text.Width,
            ["transformer_heads"] = config.Text.Heads,
            ["transformer_layers"] = config.Text.Layers,
        };

        // The reference derives these two; write them only when a model departs from that rule.
        var derived = isVit
            ? VisionConfig.VisionTransformer(vision.ImageResolution, vision.PatchSize!.Value, vision.Width, vision.Layers[0])
            : VisionConfig.ModifiedResNet(vision.ImageResolution, vision.Width, vision.Layers);
        if (derived.Heads != vision.Heads)
        {
            json["vision_heads"] = vision.Heads;
        }

        if (config.Text.EndOfTextTokenId != config.Text.VocabSize - 1)
        {
            json["end_of_text_token_id"] = config.Text.EndOfTextTokenId;
        }

        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static int Required(JsonObject config, string name, string source) =>
        config[name]?.GetValue<int>() ?? throw new CheckpointFormatException(source, $"the constructor argument '{name}' is missing");
}
