namespace Clip.Text;

/// <summary>
/// The text cleaning CLIP's reference tokenizer applies before BPE: the repairs of the Python library
/// ftfy 6.3.1 (<c>fix_text</c> with default settings), HTML unescaping twice with Python's rules,
/// whitespace runs collapsed to one space, the ends trimmed, and Python's lowercasing.
/// </summary>
/// <remarks>Stateless and safe to call from any thread.</remarks>
public static class ClipTextCleaner
{
    /// <summary>Cleans <paramref name="text"/> exactly as the reference does before splitting it into words.</summary>
    /// <param name="text">Any text; lone surrogates become U+FFFD.</param>
    /// <returns>The cleaned, lowercased text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string repaired = TextRepair.FixText(text);
        string unescaped = PythonHtml.Unescape(PythonHtml.Unescape(repaired));
        string collapsed = PythonText.CollapseWhitespace(PythonText.Strip(unescaped));
        return PythonText.Lower(collapsed);
    }

    /// <summary>
    /// Applies only the ftfy repairs: HTML entities (unless the text contains <c>&lt;</c>), mojibake
    /// such as <c>cafÃ©</c>, C1 controls, Latin ligatures, fullwidth and halfwidth forms, curly quotes,
    /// line breaks, lone surrogates, terminal escape codes, control characters and the byte-order mark,
    /// then NFC normalisation.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The repaired text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string FixText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TextRepair.FixText(text);
    }
}
