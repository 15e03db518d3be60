using System.Globalization;
using System.Text;

namespace Clip.Text;

/// <summary>
/// String operations with the semantics of Python 3's <c>str</c>, where they differ from .NET's:
/// <c>lower()</c>, <c>isspace()</c> and <c>strip()</c>.
/// </summary>
internal static class PythonText
{
    private const char CapitalSigma = '\u03A3';
    private const char SmallSigma = '\u03C3';
    private const char FinalSigma = '\u03C2';
    private const char CapitalIWithDotAbove = '\u0130';
    private const string LowerIWithDotAbove = "i\u0307"; // the only multi-character lowercase mapping

    /// <summary>
    /// Lowercases like Python's <c>str.lower()</c>: the full Unicode lowercase mapping (<c>İ</c> becomes
    /// <c>i</c> + U+0307) and the final form <c>ς</c> for a capital sigma that ends a word.
    /// </summary>
    /// <remarks>
    /// Other characters use .NET's invariant simple lowercase mapping, which equals Unicode's for every
    /// character except U+0130, handled here. The Unicode versions of Python and .NET may differ for
    /// characters added in recent versions.
    /// </remarks>
    public static string Lower(string text)
    {
        int firstToChange = 0;
        while (firstToChange < text.Length && IsLowerStable(text[firstToChange]))
        {
            firstToChange++;
        }

        if (firstToChange == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        builder.Append(text, 0, firstToChange);
        for (int i = firstToChange; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c);
            }
            else if (c == CapitalIWithDotAbove)
            {
                builder.Append(LowerIWithDotAbove);
            }
            else if (c == CapitalSigma)
            {
                builder.Append(IsFinalSigma(text, i) ? FinalSigma : SmallSigma);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(c, text[i + 1]);
                builder.Append(Rune.ToLowerInvariant(rune).ToString());
                i++;
            }
            else
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>Returns whether <paramref name="c"/> is whitespace for Python's <c>str.isspace()</c> and <c>\s</c>.</summary>
    /// <remarks>
    /// Unicode's White_Space characters plus U+001C to U+001F, which Python counts because of their
    /// bidirectional class.
    /// </remarks>
    public static bool IsSpace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' => true,
        < '\u001C' => false,
        <= '\u001F' => true,
        < '\u0085' => false,
        '\u0085' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };

    /// <summary>
    /// Collapses each run of whitespace to one space and trims the ends, as the reference's
    /// <c>re.sub(r'\s+', ' ', text).strip()</c>.
    /// </summary>
    public static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool pendingSpace = false;
        bool changed = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (IsSpace(c))
            {
                // Anything but one space between two words changes the text.
                changed |= c != ' ' || builder.Length == 0 || pendingSpace || i + 1 == text.Length;
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return changed ? builder.ToString() : text;
    }

    /// <summary>Removes leading and trailing whitespace as Python's <c>str.strip()</c>.</summary>
    public static string Strip(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }

        return start == 0 && end == text.Length ? text : text.Substring(start, end - start);
    }

    private static bool IsLowerStable(char c) => c < 0x80 ? c is < 'A' or > 'Z' : false;

    // Python's rule (Unicode's Final_Sigma): a cased letter before the sigma, and no cased letter after
    // it, skipping case-ignorable characters in both directions.
    private static bool IsFinalSigma(string text, int index)
    {
        int before = index - 1;
        while (before >= 0 && IsCaseIgnorable(CodePointBefore(text, before, out int width)))
        {
            before -= width;
        }

        if (before < 0 || !IsCased(CodePointBefore(text, before, out _)))
        {
            return false;
        }

        int after = index + 1;
        while (after < text.Length && IsCaseIgnorable(CodePointAt(text, after, out int width)))
        {
            after += width;
        }

        return after == text.Length || !IsCased(CodePointAt(text, after, out _));
    }

    private static int CodePointBefore(string text, int index, out int width)
    {
        if (char.IsLowSurrogate(text[index]) && index > 0 && char.IsHighSurrogate(text[index - 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[index - 1], text[index]);
        }

        width = 1;
        return text[index];
    }

    private static int CodePointAt(string text, int index, out int width)
    {
        if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[index], text[index + 1]);
        }

        width = 1;
        return text[index];
    }

    // Unicode's Cased property: uppercase, lowercase and titlecase letters, and the symbols and
    // modifier letters with Other_Uppercase or Other_Lowercase (circled letters, Roman numerals,
    // superscript letters, ...).
    private static bool IsCased(int codePoint)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
        {
            return true;
        }

        return codePoint is 0xAA or 0xBA or >= 0x2B0 and <= 0x2B8 or 0x2C0 or 0x2C1 or >= 0x2E0 and <= 0x2E4
            or 0x345 or 0x37A or 0x10FC or >= 0x1D2C and <= 0x1D6A or 0x1D78 or >= 0x1D9B and <= 0x1DBF
            or 0x2071 or 0x207F or >= 0x2090 and <= 0x209C or >= 0x2160 and <= 0x217F or >= 0x24B6 and <= 0x24E9
            or 0x2C7C or 0x2C7D or 0xA69C or 0xA69D or 0xA770 or 0xA7F8 or 0xA7F9 or >= 0xAB5C and <= 0xAB5F
            or >= 0x1F130 and <= 0x1F149 or >= 0x1F150 and <= 0x1F169 or >= 0x1F170 and <= 0x1F189;
    }

    // Unicode's Case_Ignorable property: marks, format characters, modifier letters and symbols, and
    // the word-internal punctuation of the word-break rules (apostrophes, periods, colons, middle dots).
    private static bool IsCaseIgnorable(int codePoint)
    {
        if (codePoint is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024
            or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A)
        {
            return true;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}
