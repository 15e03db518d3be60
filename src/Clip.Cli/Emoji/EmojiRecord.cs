namespace Clip.Cli.Emoji;

/// <summary>One captioned image of the emoji dataset.</summary>
/// <param name="Image">The PNG path relative to the dataset folder, with forward slashes.</param>
/// <param name="Hexcode">The emoji's normalised code-point sequence (upper case, without U+FE0F).</param>
/// <param name="BaseHexcode">The base emoji's normalised sequence; skin-tone variants share it with their base.</param>
/// <param name="Emoji">The emoji as Unicode characters.</param>
/// <param name="Label">The CLDR short name.</param>
/// <param name="Tags">The CLDR keywords.</param>
/// <param name="Group">The group name (one of the nine emojibase groups, or <c>components</c>).</param>
/// <param name="Subgroup">The subgroup name.</param>
/// <param name="Style">The drawing style.</param>
/// <param name="Split">Whether training may see the emoji.</param>
public sealed record EmojiRecord(
    string Image,
    string Hexcode,
    string BaseHexcode,
    string Emoji,
    string Label,
    IReadOnlyList<string> Tags,
    string Group,
    string Subgroup,
    EmojiStyle Style,
    EmojiSplit Split);
