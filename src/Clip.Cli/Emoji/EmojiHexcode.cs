namespace Clip.Cli.Emoji;

/// <summary>
/// Code-point sequences written as hexadecimal numbers joined by hyphens (<c>1F44B-1F3FB</c>), the key
/// that both emoji-datasource (<c>unified</c>) and emojibase (<c>hexcode</c>) use for an emoji.
/// </summary>
public static class EmojiHexcode
{
    /// <summary>VARIATION SELECTOR-16: it requests emoji presentation and does not change which emoji it is.</summary>
    private const string EmojiPresentationSelector = "FE0F";

    private const char Separator = '-';

    /// <summary>
    /// Normalises a code-point sequence for joining: upper case, without U+FE0F, at least four digits per code point.
    /// </summary>
    /// <param name="hexcode">The sequence, for example <c>0023-fe0f-20e3</c>.</param>
    /// <returns>The normalised sequence, for example <c>0023-20E3</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="hexcode"/> is empty or contains a part that is not hexadecimal.</exception>
    public static string Normalize(string hexcode)
    {
        ArgumentNullException.ThrowIfNull(hexcode);
        string[] parts = hexcode.Split(Separator, StringSplitOptions.TrimEntries);
        var kept = new List<string>(parts.Length);
        foreach (string part in parts)
        {
            if (part.Length == 0 || !int.TryParse(part, System.Globalization.NumberStyles.AllowHexSpecifier, null, out int codePoint))
            {
                throw new ArgumentException($"Code-point sequence '{hexcode}' is invalid: '{part}' is not a hexadecimal number.", nameof(hexcode));
            }

            string canonical = codePoint.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
            if (canonical != EmojiPresentationSelector)
            {
                kept.Add(canonical);
            }
        }

        if (kept.Count == 0)
        {
            throw new ArgumentException($"Code-point sequence '{hexcode}' is invalid: it contains no code point besides U+FE0F.", nameof(hexcode));
        }

        return string.Join(Separator, kept);
    }
}
