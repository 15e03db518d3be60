using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Clip.Text;

/// <summary>
/// HTML character references decoded with the rules of Python 3.11's <c>html.unescape</c>, and with the
/// stricter rules of ftfy 6.3.1's <c>unescape_html</c>.
/// </summary>
/// <remarks>
/// .NET's <see cref="System.Net.WebUtility.HtmlDecode(string)"/> knows only the HTML 4 names and
/// requires the semicolon; Python decodes all 2,231 HTML5 names, the legacy names without a semicolon
/// (<c>&amp;amp</c>), the longest legacy prefix of an unknown name (<c>&amp;ampx</c> gives <c>&amp;x</c>),
/// and maps numeric references the way browsers do. The reference tokenizer depends on those rules.
/// </remarks>
internal static class PythonHtml
{
    private const string EntityResourceName = "Clip.Text.Resources.html-entities.tsv";
    private const int MaxCodePoint = 0x10FFFF;
    private const string ReplacementCharacter = "\uFFFD";

    // Python's html._charref: a decimal or hexadecimal reference, or up to 32 name characters,
    // each with an optional semicolon.
    private static readonly Regex CharacterReference = new(
        @"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)", RegexOptions.CultureInvariant);

    // ftfy's HTML_ENTITY_RE: only references that end with a semicolon.
    private static readonly Regex TerminatedReference = new("&#?[0-9A-Za-z]{1,24};", RegexOptions.CultureInvariant);

    private static readonly Lazy<EntityTables> Tables = new(LoadTables);

    /// <summary>Decodes every character reference in <paramref name="text"/> as Python's <c>html.unescape</c>.</summary>
    public static string Unescape(string text)
    {
        if (!text.Contains('&'))
        {
            return text;
        }

        return CharacterReference.Replace(text, match => ReplaceReference(match.Groups[1].Value));
    }

    /// <summary>
    /// Decodes the references that end with a semicolon, as ftfy does: HTML5 names, the upper-case
    /// spelling of a lower-case name (<c>&amp;EACUTE;</c>), and numeric references.
    /// </summary>
    public static string UnescapeTerminated(string text)
    {
        if (!text.Contains('&'))
        {
            return text;
        }

        return TerminatedReference.Replace(text, match =>
        {
            string reference = match.Value;
            if (Tables.Value.TerminatedNames.TryGetValue(reference.Substring(1), out string? value))
            {
                return value;
            }

            if (reference.StartsWith("&#", StringComparison.Ordinal))
            {
                string decoded = Unescape(reference);
                return decoded.Contains(';') ? reference : decoded;
            }

            return reference;
        });
    }

    private static string ReplaceReference(string body)
    {
        if (body[0] == '#')
        {
            return ReplaceNumericReference(body);
        }

        IReadOnlyDictionary<string, string> names = Tables.Value.AllNames;
        if (names.TryGetValue(body, out string? value))
        {
            return value;
        }

        // The longest known prefix wins, keeping the rest as text; only names without a semicolon
        // can match a prefix, and the shortest candidate has two characters.
        for (int length = body.Length - 1; length > 1; length--)
        {
            if (names.TryGetValue(body.Substring(0, length), out string? prefixValue))
            {
                return prefixValue + body.Substring(length);
            }
        }

        return "&" + body;
    }

    private static string ReplaceNumericReference(string body)
    {
        bool isHex = body.Length > 1 && (body[1] == 'x' || body[1] == 'X');
        ReadOnlySpan<char> digits = body.AsSpan(isHex ? 2 : 1).TrimEnd(';');
        int radix = isHex ? 16 : 10;

        // Accumulate with saturation: any value past U+10FFFF behaves the same.
        long codePoint = 0;
        foreach (char digit in digits)
        {
            codePoint = codePoint * radix + HexValue(digit);
            if (codePoint > MaxCodePoint)
            {
                return ReplacementCharacter;
            }
        }

        if (InvalidReferenceReplacements.TryGetValue((int)codePoint, out string? replacement))
        {
            return replacement;
        }

        if (codePoint is >= 0xD800 and <= 0xDFFF)
        {
            return ReplacementCharacter;
        }

        return IsDroppedCodePoint((int)codePoint) ? "" : char.ConvertFromUtf32((int)codePoint);
    }

    private static int HexValue(char digit) => digit switch
    {
        >= '0' and <= '9' => digit - '0',
        >= 'a' and <= 'f' => digit - 'a' + 10,
        _ => digit - 'A' + 10,
    };

    // Python's html._invalid_codepoints: control characters, noncharacters and U+000B decode to nothing.
    private static bool IsDroppedCodePoint(int codePoint) =>
        codePoint is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (codePoint & 0xFFFE) == 0xFFFE;

    // Python's html._invalid_charrefs: the HTML standard's replacements for NUL, CR and the C1 range,
    // which browsers read as Windows-1252 (undefined bytes stay as they are).
    private static readonly Dictionary<int, string> InvalidReferenceReplacements = BuildInvalidReferenceReplacements();

    private static Dictionary<int, string> BuildInvalidReferenceReplacements()
    {
        var replacements = new Dictionary<int, string> { [0x00] = ReplacementCharacter, [0x0D] = "\r" };
        for (int value = 0x80; value <= 0x9F; value++)
        {
            replacements[value] = SingleByteCodec.SloppyWindows1252.Decode((byte)value).ToString();
        }

        return replacements;
    }

    private sealed record EntityTables(IReadOnlyDictionary<string, string> AllNames, IReadOnlyDictionary<string, string> TerminatedNames);

    // The resource lists each HTML5 name with its code points; lines starting with '^' add the
    // upper-case spellings that ftfy accepts.
    private static EntityTables LoadTables()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        var terminated = new Dictionary<string, string>(StringComparer.Ordinal);
        using Stream stream = typeof(PythonHtml).Assembly.GetManifestResourceStream(EntityResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{EntityResourceName}' is missing from the Clip assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is string line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int tab = line.IndexOf('\t');
            string name = line.Substring(0, tab);
            string value = string.Concat(line.Substring(tab + 1).Split(' ')
                .Select(hex => char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
            if (name[0] == '^')
            {
                terminated[name.Substring(1)] = value;
                continue;
            }

            all[name] = value;
            if (name.EndsWith(';'))
            {
                terminated[name] = value;
            }
        }

        return new EntityTables(all, terminated);
    }
}
