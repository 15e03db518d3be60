using System.Globalization;
using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>
/// Reads the English data of an extracted <c>emojibase-data</c> package: <c>en/data.json</c> for labels and
/// tags, <c>meta/groups.json</c> for the keys of the numbered groups and subgroups, and
/// <c>en/messages.json</c> for the groups' English names.
/// </summary>
public static class EmojibaseReader
{
    /// <summary>Reads every emoji and skin-tone variant, keyed by normalised code-point sequence.</summary>
    /// <param name="packageDirectory">The extracted package folder (holding <c>en/</c> and <c>meta/</c>).</param>
    /// <returns>The texts, keyed by <see cref="EmojiHexcode.Normalize"/> of their hexcode.</returns>
    /// <exception cref="FileNotFoundException"><c>en/data.json</c> is missing.</exception>
    /// <exception cref="InvalidDataException">A file does not have the emojibase layout.</exception>
    /// <remarks>
    /// Groups are named by their English message (<c>smileys &amp; emotion</c>) and subgroups by their key with
    /// hyphens as spaces (<c>face smiling</c>), because the subgroup messages (<c>smiling</c>) lose the noun.
    /// Without <c>meta/groups.json</c> the group and subgroup are empty.
    /// </remarks>
    public static IReadOnlyDictionary<string, EmojiText> ReadEnglish(string packageDirectory)
    {
        string dataPath = Path.Combine(packageDirectory, "en", "data.json");
        GroupNames names = ReadGroupNames(packageDirectory);

        using FileStream stream = File.OpenRead(dataPath);
        using JsonDocument document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{dataPath}' is not emojibase data: the root is not an array.");
        }

        var texts = new Dictionary<string, EmojiText>(StringComparer.Ordinal);
        foreach (JsonElement emoji in document.RootElement.EnumerateArray())
        {
            EmojiText baseText = ReadOne(emoji, baseText: null, names, dataPath);
            texts[EmojiHexcode.Normalize(baseText.Hexcode)] = baseText;
            if (emoji.TryGetProperty("skins", out JsonElement skins) && skins.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement skin in skins.EnumerateArray())
                {
                    EmojiText skinText = ReadOne(skin, baseText, names, dataPath);
                    texts[EmojiHexcode.Normalize(skinText.Hexcode)] = skinText;
                }
            }
        }

        return texts;
    }

    private static EmojiText ReadOne(JsonElement emoji, EmojiText? baseText, GroupNames names, string path)
    {
        string hexcode = String(emoji, "hexcode") ?? throw new InvalidDataException($"'{path}' has an emoji without a 'hexcode'.");
        string label = String(emoji, "label") ?? throw new InvalidDataException($"'{path}' has no 'label' for emoji {hexcode}.");
        IReadOnlyList<string> tags = emoji.TryGetProperty("tags", out JsonElement tagArray) && tagArray.ValueKind == JsonValueKind.Array
            ? tagArray.EnumerateArray().Select(tag => tag.GetString()).OfType<string>().ToArray()
            : baseText?.Tags ?? Array.Empty<string>();

        string group = Number(emoji, "group") is int groupNumber ? names.Group(groupNumber) : baseText?.Group ?? string.Empty;
        string subgroup = Number(emoji, "subgroup") is int subgroupNumber ? names.Subgroup(subgroupNumber) : baseText?.Subgroup ?? string.Empty;
        return new EmojiText(hexcode, baseText?.Hexcode ?? hexcode, String(emoji, "emoji") ?? string.Empty, label, tags, group, subgroup);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static GroupNames ReadGroupNames(string packageDirectory)
    {
        string groupsPath = Path.Combine(packageDirectory, "meta", "groups.json");
        string messagesPath = Path.Combine(packageDirectory, "en", "messages.json");
        var groupKeys = new Dictionary<int, string>();
        var subgroupKeys = new Dictionary<int, string>();
        var groupMessages = new Dictionary<string, string>(StringComparer.Ordinal);

        if (File.Exists(groupsPath))
        {
            using JsonDocument groups = JsonDocument.Parse(File.ReadAllBytes(groupsPath));
            ReadNumberedKeys(groups.RootElement, "groups", groupKeys, groupsPath);
            ReadNumberedKeys(groups.RootElement, "subgroups", subgroupKeys, groupsPath);
        }

        if (File.Exists(messagesPath))
        {
            using JsonDocument messages = JsonDocument.Parse(File.ReadAllBytes(messagesPath));
            if (messages.RootElement.TryGetProperty("groups", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in list.EnumerateArray())
                {
                    if (String(item, "key") is { } key && String(item, "message") is { } message)
                    {
                        groupMessages[key] = message;
                    }
                }
            }
        }

        return new GroupNames(groupKeys, subgroupKeys, groupMessages);
    }

    private static void ReadNumberedKeys(JsonElement root, string property, Dictionary<int, string> keys, string path)
    {
        if (!root.TryGetProperty(property, out JsonElement map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}' has no '{property}' object.");
        }

        foreach (JsonProperty entry in map.EnumerateObject())
        {
            if (int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && entry.Value.GetString() is { } key)
            {
                keys[number] = key;
            }
        }
    }

    /// <summary>Maps group and subgroup numbers to names.</summary>
    private sealed class GroupNames(
        IReadOnlyDictionary<int, string> groupKeys,
        IReadOnlyDictionary<int, string> subgroupKeys,
        IReadOnlyDictionary<string, string> groupMessages)
    {
        public string Group(int number)
        {
            if (!groupKeys.TryGetValue(number, out string? key))
            {
                return string.Empty;
            }

            return groupMessages.TryGetValue(key, out string? message) ? message : key.Replace('-', ' ');
        }

        public string Subgroup(int number) => subgroupKeys.TryGetValue(number, out string? key) ? key.Replace('-', ' ') : string.Empty;
    }
}
