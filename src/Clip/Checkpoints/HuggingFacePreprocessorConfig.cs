using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clip.Checkpoints;

/// <summary>
/// The image preprocessing settings of a transformers CLIP folder (<c>preprocessor_config.json</c>, read by
/// <c>CLIPImageProcessor</c>): resize the shorter side to <see cref="ShortestEdge"/> (bicubic), center-crop to
/// <see cref="CropSize"/>, scale to [0, 1] and normalise with <see cref="Mean"/> and <see cref="Std"/>.
/// </summary>
/// <param name="ShortestEdge">Target length of the shorter image side after resizing, in pixels.</param>
/// <param name="CropSize">Side of the square center crop, in pixels.</param>
/// <param name="Mean">Per-channel mean (R, G, B) subtracted after scaling to [0, 1].</param>
/// <param name="Std">Per-channel standard deviation (R, G, B) divided by after subtracting the mean.</param>
public sealed record HuggingFacePreprocessorConfig(int ShortestEdge, int CropSize, IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>OpenAI's normalisation mean (R, G, B), from the reference preprocessing.</summary>
    public static readonly IReadOnlyList<double> OpenAiMean = [0.48145466, 0.4578275, 0.40821073];

    /// <summary>OpenAI's normalisation standard deviation (R, G, B), from the reference preprocessing.</summary>
    public static readonly IReadOnlyList<double> OpenAiStd = [0.26862954, 0.26130258, 0.27577711];

    // PIL.Image.BICUBIC, the resampling filter code transformers stores.
    private const int BicubicFilterCode = 3;

    private const double ByteScale = 1.0 / 255.0;

    /// <summary>Creates OpenAI's preprocessing at <paramref name="resolution"/>.</summary>
    /// <param name="resolution">The model's input side length.</param>
    /// <returns>The settings.</returns>
    public static HuggingFacePreprocessorConfig ForResolution(int resolution) =>
        resolution > 0
            ? new(resolution, resolution, OpenAiMean, OpenAiStd)
            : throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "The resolution must be positive.");

    /// <summary>Reads a <c>preprocessor_config.json</c>; sizes may be integers or objects, as transformers versions wrote them.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="CheckpointFormatException">The file is not valid JSON or lacks a size.</exception>
    public static HuggingFacePreprocessorConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            JsonObject json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CheckpointFormatException(path, "expected a JSON object of image preprocessing settings");
            int shortest = Size(json["size"], "shortest_edge", path);
            int crop = json["crop_size"] is null ? shortest : Size(json["crop_size"], "height", path);
            double[] mean = json["image_mean"]?.AsArray().Select(v => v!.GetValue<double>()).ToArray() ?? [.. OpenAiMean];
            double[] std = json["image_std"]?.AsArray().Select(v => v!.GetValue<double>()).ToArray() ?? [.. OpenAiStd];
            return new HuggingFacePreprocessorConfig(shortest, crop, mean, std);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException(path, $"expected transformers image preprocessing settings: {e.Message}", e);
        }
    }

    /// <summary>Writes the settings as a <c>preprocessor_config.json</c> that <c>CLIPImageProcessor</c> reads.</summary>
    /// <param name="path">Destination file.</param>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = new JsonObject
        {
            ["crop_size"] = new JsonObject { ["height"] = CropSize, ["width"] = CropSize },
            ["do_center_crop"] = true,
            ["do_convert_rgb"] = true,
            ["do_normalize"] = true,
            ["do_rescale"] = true,
            ["do_resize"] = true,
            ["image_mean"] = new JsonArray(Mean.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["image_processor_type"] = "CLIPImageProcessor",
            ["image_std"] = new JsonArray(Std.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["resample"] = BicubicFilterCode,
            ["rescale_factor"] = ByteScale,
            ["size"] = new JsonObject { ["shortest_edge"] = ShortestEdge },
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static int Size(JsonNode? node, string field, string path) => node switch
    {
        JsonValue value => value.GetValue<int>(),
        JsonObject obj when obj[field] is JsonNode inner => inner.GetValue<int>(),
        _ => throw new CheckpointFormatException(path, $"expected an integer size or an object with '{field}', found {node?.ToJsonString() ?? "nothing"}"),
    };
}
