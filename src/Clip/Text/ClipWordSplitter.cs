using System.Globalization;

namespace Clip.Text;

/// <summary>
/// Splits cleaned, lowercased text into the words that BPE encodes, with the same matches as the
/// reference's case-insensitive pattern
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>.
/// </summary>
/// <remarks>
/// At each position the first alternative that matches wins: a special token, a contraction, a run
/// of letters, a single number character, or a run of other non-space characters (which does not stop
/// at an apostrophe or <c>&lt;|</c> inside it). Whitespace separates words and is dropped. Hand-written
/// instead of a <see cref="System.Text.RegularExpressions.Regex"/> for speed; the golden tests hold it
/// to the reference's matches.
/// </remarks>
internal ref struct ClipWordSplitter
{
    private const string StartOfText = ClipVocabulary.StartOfTextToken;
    private const string EndOfText = ClipVocabulary.EndOfTextToken;
    private const char LongS = '\u017F'; // case-folds to 's', so a case-insensitive "'s" matches "'ſ"

    // Character classes of ASCII: 0 other, 1 letter, 2 digit, 3 whitespace.
    private const byte Other = 0;
    private const byte Letter = 1;
    private const byte Number = 2;
    private const byte Space = 3;

    private static readonly byte[] AsciiClasses = BuildAsciiClasses();

    private readonly ReadOnlySpan<char> text;
    private readonly bool parseSpecialTokens;
    private int position;

    /// <summary>Creates a splitter over <paramref name="text"/>, which must already be cleaned and lowercased.</summary>
    public ClipWordSplitter(ReadOnlySpan<char> text, bool parseSpecialTokens)
    {
        this.text = text;
        this.parseSpecialTokens = parseSpecialTokens;
        position = 0;
    }

    /// <summary>The kinds of word the splitter returns.</summary>
    public enum WordKind
    {
        /// <summary>An ordinary word, to be BPE-encoded.</summary>
        Ordinary,

        /// <summary>The start token's text.</summary>
        StartOfText,

        /// <summary>The end token's text.</summary>
        EndOfText,
    }

    /// <summary>Finds the next word; returns false at the end of the text.</summary>
    public bool TryReadNext(out int start, out int length, out WordKind kind)
    {
        kind = WordKind.Ordinary;
        while (position < text.Length && ClassAt(position, out _) == Space)
        {
            position++;
        }

        start = position;
        length = 0;
        if (position >= text.Length)
        {
            return false;
        }

        if (parseSpecialTokens && text[position] == '<')
        {
            if (MatchesIgnoringCase(StartOfText))
            {
                kind = WordKind.StartOfText;
                return Take(StartOfText.Length, out length);
            }

            if (MatchesIgnoringCase(EndOfText))
            {
                kind = WordKind.EndOfText;
                return Take(EndOfText.Length, out length);
            }
        }

        if (text[position] == '\'' && ContractionLength() is int contraction and > 0)
        {
            return Take(contraction, out length);
        }

        byte first = ClassAt(position, out int width);
        if (first == Number)
        {
            return Take(width, out length);
        }

        int end = position + width;
        while (end < text.Length && ClassAt(end, out int nextWidth) == first)
        {
            end += nextWidth;
        }

        return Take(end - position, out length);
    }

    private bool Take(int count, out int length)
    {
        length = count;
        position += count;
        return true;
    }

    private readonly bool MatchesIgnoringCase(string literal)
    {
        if (text.Length - position < literal.Length)
        {
            return false;
        }

        for (int i = 0; i < literal.Length; i++)
        {
            char c = text[position + i];
            if (c != literal[i] && !(literal[i] == 's' && c == LongS))
            {
                return false;
            }
        }

        return true;
    }

    // Length of the contraction at the apostrophe ('s, 't, 'm, 'd, 're, 've, 'll), or 0.
    private readonly int ContractionLength()
    {
        char next = position + 1 < text.Length ? text[position + 1] : '\0';
        char after = position + 2 < text.Length ? text[position + 2] : '\0';
        return next switch
        {
            's' or LongS or 't' or 'm' or 'd' => 2,
            'r' or 'v' when after == 'e' => 3,
            'l' when after == 'l' => 3,
            _ => 0,
        };
    }

    // The class of the code point at index; width is 2 for a surrogate pair, else 1.
    private readonly byte ClassAt(int index, out int width)
    {
        char c = text[index];
        width = 1;
        if (c < 0x80)
        {
            return AsciiClasses[c];
        }

        if (PythonText.IsSpace(c))
        {
            return Space;
        }

        UnicodeCategory category;
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1]));
        }
        else
        {
            category = CharUnicodeInfo.GetUnicodeCategory(c);
        }

        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
            _ => Other,
        };
    }

    private static byte[] BuildAsciiClasses()
    {
        var classes = new byte[0x80];
        for (int c = 0; c < classes.Length; c++)
        {
            classes[c] = (char)c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => Letter,
                >= '0' and <= '9' => Number,
                _ when PythonText.IsSpace((char)c) => Space,
                _ => Other,
            };
        }

        return classes;
    }
}
