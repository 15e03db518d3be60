namespace Clip.Cli.Emoji;

/// <summary>The words emojibase gives an emoji: its CLDR label, tags, group and subgroup.</summary>
/// <param name="Hexcode">The emoji's code-point sequence as emojibase writes it.</param>
/// <param name="BaseHexcode">The base emoji's sequence; equal to <paramref name="Hexcode"/> for a base emoji.</param>
/// <param name="Emoji">The emoji as a string of Unicode characters.</param>
/// <param name="Label">The CLDR short name, for example <c>waving hand: light skin tone</c>.</param>
/// <param name="Tags">CLDR keywords; a skin-tone variant has its base emoji's tags.</param>
/// <param name="Group">The group name, for example <c>people &amp; body</c>; empty when emojibase gives none.</param>
/// <param name="Subgroup">The subgroup name, for example <c>hand fingers open</c>; empty when emojibase gives none.</param>
public sealed record EmojiText(
    string Hexcode,
    string BaseHexcode,
    string Emoji,
    string Label,
    IReadOnlyList<string> Tags,
    string Group,
    string Subgroup);
