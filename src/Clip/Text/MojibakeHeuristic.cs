using System.Text.RegularExpressions;

namespace Clip.Text;

/// <summary>
/// Decides whether text looks like mojibake, with the character categories and sequence rules of the
/// "badness" heuristic of the Python library ftfy 6.3.1 (Apache License 2.0), which the reference
/// tokenizer runs. The categories cover the few hundred characters that UTF-8 turns into when it is
/// decoded with a Latin-1-like single-byte map; the rules flag sequences of them that ordinary text
/// almost never contains, such as an accented lowercase letter followed by a currency sign.
/// </summary>
internal static class MojibakeHeuristic
{
    // Characters that appear in many contexts; a sequence with them is not mojibake by itself.
    private const string Common = "\u00A0\u00AD\u00B7\u00B4\u2013\u2014\u2015\u2026\u2019";

    // C1 control characters, used today only by mistake.
    private const string C1 = "\u0080-\u009F";

    // Characters that appear almost only in mojibake.
    private const string Bad = "\u00A6\u00A4\u00A8\u00AC\u00AF\u00B8\u0192\u02C6\u02C7\u02D8\u02DB\u02DC"
        + "\u2020\u2021\u2030\u2310\u25CA\uFFFD\u00AA\u00BA";

    private const string Law = "\u00B6\u00A7";

    private const string Currency = "\u00A2\u00A3\u00A5\u20A7\u20AC";

    private const string StartPunctuation = "\u00A1\u00AB\u00BF\u00A9\u0384\u0385\u2018\u201A\u201C\u201E"
        + "\u2022\u2039\uF8FF";

    private const string EndPunctuation = "\u00AE\u00BB\u02DD\u201D\u203A\u2122";

    private const string Numeric = "\u00B2\u00B3\u00B9\u00B1\u00BC\u00BD\u00BE\u00D7\u00B5\u00F7\u2044\u2202"
        + "\u2206\u220F\u2211\u221A\u221E\u2229\u222B\u2248\u2260\u2261\u2264\u2265\u2116";

    // Letters that can form emoticon faces, so they are flagged only in narrower contexts.
    private const string Kaomoji = "\u00D2-\u00D6\u00D9-\u00DC\u00F2-\u00F6\u00F8-\u00FC\u0150\u014C\u016A\u0172\u00B0";

    private const string UpperAccented = "\u00C0-\u00D1\u00D8\u00DC\u00DD\u0102\u0100\u0104\u0106\u010C\u010E"
        + "\u0110\u0118\u011A\u0112\u0116\u011E\u0122\u0130\u012A\u0136\u0139\u013D\u0141\u013B\u0143\u0147"
        + "\u0145\u0152\u0158\u015A\u015E\u0160\u0162\u0164\u016E\u0170\u0178\u0179\u017B\u017D\u0490";

    private const string LowerAccented = "\u00DF\u00E0-\u00F1\u0103\u0105\u0101\u0107\u010D\u010F\u0111\u0119"
        + "\u011B\u0113\u0117\u011F\u0123\u012F\u012B\u0137\u013A\u013E\u0142\u013C\u0153\u0155\u015B\u015F"
        + "\u0161\u0165\u00FC\u017A\u017C\u017E\u0491\uFB01\uFB02";

    private const string UpperCommon = "\u00DE\u0391-\u03A9\u0386\u0388\u0389\u038A\u038C\u038E\u038F\u03AA\u03AB"
        + "\u0401-\u042F";

    private const string LowerCommon = "\u03B1-\u03C9\u03AC\u03AD\u03AE\u03AF\u03B0\u0430-\u045F";

    private const string Box = "\u2502\u250C\u2510\u2518\u251C\u2524\u252C\u253C\u2550-\u256C\u2580\u2584\u2588"
        + "\u258C\u2590\u2591\u2592\u2593";

    // A word character as Python's `re` sees one in a str pattern: letters, numbers and underscore.
    private const string Word = @"[\p{L}\p{N}_]";

    private static readonly Regex BadnessPattern = new(BuildPattern(), RegexOptions.CultureInvariant);

    /// <summary>Returns whether <paramref name="text"/> contains a sequence that looks like mojibake.</summary>
    public static bool IsBad(string text) => BadnessPattern.IsMatch(text);

    private static string BuildPattern()
    {
        string anyOf(params string[] sets) => "[" + string.Concat(sets) + "]";

        string[] alternatives =
        [
            anyOf(C1),
            anyOf(Bad, LowerAccented, UpperAccented, Box, StartPunctuation, EndPunctuation, Currency, Numeric, Law) + anyOf(Bad),
            "[a-zA-Z]" + anyOf(LowerCommon, UpperCommon) + anyOf(Bad),
            anyOf(Bad) + anyOf(LowerAccented, UpperAccented, Box, StartPunctuation, EndPunctuation, Currency, Numeric, Law),
            anyOf(LowerAccented, LowerCommon, Box, EndPunctuation, Currency, Numeric) + anyOf(UpperAccented),
            anyOf(Box, EndPunctuation, Currency, Numeric) + anyOf(LowerAccented),
            anyOf(LowerAccented, Box, EndPunctuation) + anyOf(Currency),
            @"\s" + anyOf(UpperAccented) + anyOf(Currency),
            anyOf(UpperAccented, Box) + anyOf(Numeric, Law),
            anyOf(LowerAccented, UpperAccented, Box, Currency, EndPunctuation) + anyOf(StartPunctuation) + anyOf(Numeric),
            anyOf(LowerAccented, UpperAccented, Currency, Numeric, Box, Law) + anyOf(EndPunctuation) + anyOf(StartPunctuation),
            anyOf(Currency, Numeric, Box) + anyOf(StartPunctuation),
            "[a-z]" + anyOf(UpperAccented) + anyOf(StartPunctuation, Currency),
            anyOf(Box) + anyOf(Kaomoji),
            anyOf(LowerAccented, UpperAccented, Currency, Numeric, StartPunctuation, EndPunctuation, Law) + anyOf(Box),
            anyOf(Box) + anyOf(EndPunctuation),
            anyOf(LowerAccented, UpperAccented) + anyOf(StartPunctuation, EndPunctuation) + Word,

            // The ligature œ not followed by an unaccented Latin letter.
            "[\u0152\u0153][^A-Za-z]",

            // A degree sign after an accented capital.
            anyOf(UpperAccented) + "\u00B0",

            // Two-character Windows-1252 mojibake not covered above.
            "[\u00C2\u00C3\u00CE\u00D0]" + anyOf("\u20AC\u0153\u0160\u0161\u00A2\u00A3\u0178\u017E\u00A0\u00AD\u00AE\u00A9\u00B0\u00B7\u00BB",
                StartPunctuation, EndPunctuation, "\u2013\u2014\u00B4"),
            "\u00D7[\u00B2\u00B3]",

            // Windows-1252 mojibake of Arabic: four characters, because the pairs alone are common.
            "[\u00D8\u00D9]" + anyOf(Common, Currency, Bad, Numeric, StartPunctuation, "\u0178\u0160\u00AE\u00B0\u00B5\u00BB")
                + "[\u00D8\u00D9]" + anyOf(Common, Currency, Bad, Numeric, StartPunctuation, "\u0178\u0160\u00AE\u00B0\u00B5\u00BB"),

            // Windows-1252 starts of three-byte sequences of South Asian scripts.
            "\u00E0[\u00B2\u00B5\u00B9\u00BC\u00BD\u00BE]",

            // Mac Roman mojibake not covered above.
            "\u221A[\u00B1\u2202\u2020\u2260\u00AE\u2122\u00B4\u2264\u2265\u00A5\u00B5\u00F8]",
            "\u2248[\u00B0\u00A2]",
            "\u201A\u00C4[\u00EC\u00EE\u00EF\u00F2\u00F4\u00FA\u00F9\u00FB\u2020\u00B0\u00A2\u03C0]",
            "\u201A[\u00E2\u00F3][\u00E0\u00E4\u00B0\u00EA]",

            // Windows-1251 mojibake of general punctuation (U+2000 block).
            "\u0432\u0402",

            // Windows-1251 mojibake of Latin-1 or Cyrillic: three characters, because pairs are common.
            "[\u0412\u0413\u0420\u0421]" + anyOf(C1, Bad, StartPunctuation, EndPunctuation, Currency, "\u00B0\u00B5") + "[\u0412\u0413\u0420\u0421]",

            // Windows-1251 over Latin-1 mojibake of Windows-1252 punctuation, next to a Latin letter.
            "\u0413\u045E\u0412\u0402\u0412.[A-Za-z ]",

            // Windows-1252 encodings of 'à', 'á' and the no-break space itself.
            "\u00C3[\u00A0\u00A1]",
            "[a-z]\\s?[\u00C3\u00C2] ",
            "^[\u00C3\u00C2] ",

            // Â standing before the very character it encodes.
            "[a-z.,?!" + EndPunctuation + "]\u00C2[ " + StartPunctuation + EndPunctuation + "]",

            // Windows-1253 mojibake of general punctuation.
            "\u03B2\u20AC[\u2122\u00A0\u0386\u00AD\u00AE\u00B0]",

            // Windows-1253 mojibake of Latin-1 or Greek.
            "[\u0392\u0393\u039E\u039F]" + anyOf(C1, Bad, StartPunctuation, EndPunctuation, Currency, "\u00B0") + "[\u0392\u0393\u039E\u039F]",

            // Windows-1257 mojibake of general punctuation.
            "\u0101\u20AC",
        ];

        return string.Join("|", alternatives);
    }
}
