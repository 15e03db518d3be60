using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>One image listed in an emoji-datasource <c>emoji.json</c>: a base emoji or one of its skin-tone variants.</summary>
/// <param name="Hexcode">The image's code-point sequence as <c>unified</c> gives it.</param>
/// <param name="BaseHexcode">The base emoji's sequence; equal to <paramref name="Hexcode"/> for a base emoji.</param>
/// <param name="ImageFileName">The PNG file name under <c>img/&lt;style&gt;/64/</c>.</param>
public sealed record EmojiImageSource(string Hexcode, string BaseHexcode, string ImageFileName)
{
    /// <summary>
    /// Reads the images of one style from an <c>emoji.json</c>, base emoji and skin variations alike, keeping
    /// those the file marks as drawn in that style (<c>has_img_&lt;style&gt;</c>).
    /// </summary>
    /// <param name="emojiJsonPath">The <c>emoji.json</c> file of an emoji-datasource package.</param>
    /// <param name="style">The drawing style whose availability flag to check.</param>
    /// <returns>The images in file order, each base emoji before its variants.</returns>
    /// <exception cref="InvalidDataException">The file is not an array of emoji objects with <c>unified</c> and <c>image</c>.</exception>
    public static IReadOnlyList<EmojiImageSource> ReadAll(string emojiJsonPath, EmojiStyle style)
    {
        using FileStream stream = File.OpenRead(emojiJsonPath);
        using JsonDocument document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{emojiJsonPath}' is not an emoji-datasource emoji.json: the root is not an array.");
        }

        string availability = "has_img_" + style.ToName();
        var images = new List<EmojiImageSource>();
        foreach (JsonElement emoji in document.RootElement.EnumerateArray())
        {
            string baseHexcode = RequiredString(emoji, "unified", emojiJsonPath);
            if (IsDrawn(emoji, availability))
            {
                images.Add(new EmojiImageSource(baseHexcode, baseHexcode, RequiredString(emoji, "image", emojiJsonPath)));
            }

            if (emoji.TryGetProperty("skin_variations", out JsonElement variations) && variations.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty variation in variations.EnumerateObject())
                {
                    if (IsDrawn(variation.Value, availability))
                    {
                        images.Add(new EmojiImageSource(
                            RequiredString(variation.Value, "unified", emojiJsonPath),
                            baseHexcode,
                            RequiredString(variation.Value, "image", emojiJsonPath)));
                    }
                }
            }
        }

        return images;
    }

    private static bool IsDrawn(JsonElement emoji, string availability) =>
        !emoji.TryGetProperty(availability, out JsonElement flag) || flag.ValueKind != JsonValueKind.False;

    private static string RequiredString(JsonElement element, string name, string path) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidDataException($"'{path}' has an emoji without a '{name}' string.");
}
