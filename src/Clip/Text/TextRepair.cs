using System.Text;
using System.Text.RegularExpressions;

namespace Clip.Text;

/// <summary>
/// The text repairs of <c>ftfy.fix_text</c> (ftfy 6.3.1, default settings), which the reference
/// tokenizer applies before anything else: HTML entities, mojibake, C1 controls, Latin ligatures,
/// fullwidth and halfwidth forms, curly quotes, line breaks, lone surrogates, terminal escape codes,
/// control characters, and NFC normalisation.
/// </summary>
internal static class TextRepair
{
    // ftfy fixes text in segments that end after a line feed or after this many characters.
    private const int MaxSegmentLength = 1_000_000;

    private const char ReplacementCharacter = '\uFFFD';
    private const char IdeographicSpace = '\u3000';
    private const char FirstWidthForm = '\uFF01';
    private const char LastWidthForm = '\uFFEF';

    // ANSI terminal escapes such as colour codes: ESC [ parameters letter.
    private static readonly Regex TerminalEscape = new(@"\u001B\[[\d;]*[a-zA-Z]", RegexOptions.CultureInvariant);

    private static readonly Dictionary<char, string> Ligatures = new()
    {
        ['\u0132'] = "IJ", ['\u0133'] = "ij", ['\u0149'] = "\u02BCn",
        ['\u01F1'] = "DZ", ['\u01F2'] = "Dz", ['\u01F3'] = "dz",
        ['\u01C4'] = "D\u017D", ['\u01C5'] = "D\u017E", ['\u01C6'] = "d\u017E",
        ['\u01C7'] = "LJ", ['\u01C8'] = "Lj", ['\u01C9'] = "lj",
        ['\u01CA'] = "NJ", ['\u01CB'] = "Nj", ['\u01CC'] = "nj",
        ['\uFB00'] = "ff", ['\uFB01'] = "fi", ['\uFB02'] = "fl", ['\uFB03'] = "ffi", ['\uFB04'] = "ffl",
        ['\uFB05'] = "\u017Ft", ['\uFB06'] = "st",
    };

    // Fullwidth and halfwidth forms map to their compatibility (NFKC) form; the ideographic space to a space.
    private static readonly string?[] WidthForms = BuildWidthForms();

    /// <summary>Applies <c>ftfy.fix_text</c> to <paramref name="text"/>.</summary>
    /// <remarks>
    /// As in ftfy, HTML entities are decoded only until the first segment that contains a <c>&lt;</c>,
    /// since text with tags is probably meant to be HTML source.
    /// </remarks>
    public static string FixText(string text)
    {
        var output = new StringBuilder(text.Length);
        bool unescapeHtml = true;
        int position = 0;
        while (position < text.Length)
        {
            int lineEnd = text.IndexOf('\n', position);
            int end = lineEnd < 0 ? text.Length : lineEnd + 1;
            if (end - position > MaxSegmentLength)
            {
                // NOTE: ftfy counts code points and .NET counts UTF-16 units, so segments of text with
                // characters beyond U+FFFF end at different places; only the HTML rule depends on it.
                end = position + MaxSegmentLength;
                if (char.IsHighSurrogate(text[end - 1]))
                {
                    end--;
                }
            }

            string segment = text.Substring(position, end - position);
            unescapeHtml &= !segment.Contains('<');
            output.Append(FixSegment(segment, unescapeHtml));
            position = end;
        }

        return output.ToString();
    }

    /// <summary>Replaces C1 control characters with the Windows-1252 character of the same byte.</summary>
    public static string FixC1Controls(string text) =>
        Translate(text, c => c is >= '\u0080' and <= '\u009F' ? SingleByteCodec.SloppyWindows1252.Decode((byte)c).ToString() : null);

    private static string FixSegment(string text, bool unescapeHtml)
    {
        while (true)
        {
            string original = text;
            if (unescapeHtml)
            {
                text = PythonHtml.UnescapeTerminated(text);
            }

            text = MojibakeRepair.Fix(text);
            text = FixC1Controls(text);
            text = Translate(text, c => Ligatures.TryGetValue(c, out string? split) ? split : null);
            text = Translate(text, NarrowWidthForm);
            text = Translate(text, UncurlQuote);
            text = FixLineBreaks(text);
            text = ReplaceLoneSurrogates(text);
            text = TerminalEscape.Replace(text, "");
            text = Translate(text, c => IsRemovedControl(c) ? "" : null);
            text = text.Normalize(NormalizationForm.FormC);
            if (text == original)
            {
                return text;
            }
        }
    }

    private static string? NarrowWidthForm(char c) => c switch
    {
        IdeographicSpace => " ",
        >= FirstWidthForm and <= LastWidthForm => WidthForms[c - FirstWidthForm],
        _ => null,
    };

    private static string? UncurlQuote(char c) => c switch
    {
        '\u02BC' or >= '\u2018' and <= '\u201B' => "'",
        >= '\u201C' and <= '\u201F' => "\"",
        _ => null,
    };

    private static string FixLineBreaks(string text)
    {
        if (text.AsSpan().IndexOfAny("\r\u2028\u2029\u0085") < 0)
        {
            return text;
        }

        return text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');
    }

    // ftfy removes these because they have no visible effect and are almost always unintended:
    // C0 controls other than tab, line feed, form feed and carriage return, DEL, the deprecated
    // Arabic format controls, the byte-order mark, and the interlinear annotation and object
    // replacement characters.
    private static bool IsRemovedControl(char c) =>
        c is <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F'
            or >= '\u206A' and <= '\u206F' or '\uFEFF' or >= '\uFFF9' and <= '\uFFFC';

    private static string ReplaceLoneSurrogates(string text)
    {
        char[]? chars = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                chars ??= text.ToCharArray();
                chars[i] = ReplacementCharacter;
            }
        }

        return chars is null ? text : new string(chars);
    }

    // Applies a per-character replacement (null keeps the character), copying only when something changes.
    private static string Translate(string text, Func<char, string?> replacement)
    {
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            string? replaced = replacement(text[i]);
            if (replaced is null)
            {
                builder?.Append(text[i]);
                continue;
            }

            builder ??= new StringBuilder(text.Length).Append(text, 0, i);
            builder.Append(replaced);
        }

        return builder?.ToString() ?? text;
    }

    private static string?[] BuildWidthForms()
    {
        var forms = new string?[LastWidthForm - FirstWidthForm + 1];
        for (char c = FirstWidthForm; c <= LastWidthForm; c++)
        {
            string single = c.ToString();
            string compatible = single.Normalize(NormalizationForm.FormKC);
            forms[c - FirstWidthForm] = compatible == single ? null : compatible;
        }

        return forms;
    }
}
