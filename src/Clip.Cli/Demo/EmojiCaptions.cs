using Clip.Cli.Emoji;

namespace Clip.Cli.Demo;

/// <summary>
/// Draws a training caption for an emoji at random on every use: the label alone, the label with a few of its
/// tags, or the label with its group and subgroup. Varying the caption keeps the text encoder from memorising
/// one string per image and teaches it the tag and group words that zero-shot prompts may use.
/// </summary>
public static class EmojiCaptions
{
    /// <summary>The most tags one caption carries.</summary>
    private const int MaxTags = 3;

    /// <summary>Returns a caption for an emoji.</summary>
    /// <param name="record">The emoji.</param>
    /// <param name="random">The random source of this draw.</param>
    public static string Sample(EmojiRecord record, Random random)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(random);
        int kind = random.Next(3);
        if (kind == 1 && record.Tags.Count > 0)
        {
            int count = random.Next(1, Math.Min(MaxTags, record.Tags.Count) + 1);
            IEnumerable<string> tags = record.Tags.OrderBy(_ => random.Next()).Take(count);
            return $"{record.Label}, {string.Join(", ", tags)}";
        }

        if (kind == 2 && record.Group.Length > 0)
        {
            return $"{record.Label}, {record.Group}, {record.Subgroup}";
        }

        return record.Label;
    }
}
