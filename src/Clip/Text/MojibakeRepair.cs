using System.Text;
using System.Text.RegularExpressions;

namespace Clip.Text;

/// <summary>
/// Repairs mojibake, text that was encoded as UTF-8 and then decoded with a single-byte map
/// (<c>cafÃ©</c> for <c>café</c>), the way the encoding step of ftfy 6.3.1 does it: when the
/// <see cref="MojibakeHeuristic"/> flags the text, it is encoded back with the first single-byte map
/// that can represent it and decoded as UTF-8, repeatedly, until nothing changes.
/// </summary>
internal static class MojibakeRepair
{
    private const char ReplacementCharacter = '\uFFFD';
    private const byte LeadByteOfSurrogates = 0xED; // CESU-8 encodes UTF-16 surrogates behind 0xED
    private const byte LeadByteOfOverlongNull = 0xC0; // Java's modified UTF-8 writes U+0000 as C0 80

    // UTF-8 sequences in which a Windows program turned byte 0xA0 into a space (ftfy's
    // ALTERED_UTF8_RE); matched on bytes shown as Latin-1 characters.
    private static readonly Regex AlteredUtf8 = new(
        "[\u00C2\u00C3\u00C5\u00CE\u00D0\u00D9] "
        + "|[\u00E2\u00E3] [\u0080-\u0084\u0086-\u009F\u00A1-\u00BF]"
        + "|[\u00E0-\u00E3][\u0080-\u0084\u0086-\u009F\u00A1-\u00BF] "
        + "|\u00F0 [\u0080-\u00BF][\u0080-\u00BF]"
        + "|\u00F0[\u0080-\u00BF] [\u0080-\u00BF]"
        + "|\u00F0[\u0080-\u00BF][\u0080-\u00BF] ",
        RegexOptions.CultureInvariant);

    // UTF-8 sequences that lost a byte, which the sloppy maps show as 0x1A (or once as '?').
    private static readonly Regex LossyUtf8 = new(
        "[\u00C2-\u00DF]\u001A"
        + "|[\u00C2-\u00C3][?]"
        + "|\u00ED[\u00A0-\u00AF][\u001A?]\u00ED[\u00B0-\u00BF][\u001A?\u0080-\u00BF]"
        + "|\u00ED[\u00A0-\u00AF][\u001A?\u0080-\u00BF]\u00ED[\u00B0-\u00BF][\u001A?]"
        + "|[\u00E0-\u00EF][\u001A?][\u001A\u0080-\u00BF]"
        + "|[\u00E0-\u00EF][\u001A\u0080-\u00BF][\u001A?]"
        + "|[\u00F0-\u00F4][\u001A?][\u001A\u0080-\u00BF][\u001A\u0080-\u00BF]"
        + "|[\u00F0-\u00F4][\u001A\u0080-\u00BF][\u001A?][\u001A\u0080-\u00BF]"
        + "|[\u00F0-\u00F4][\u001A\u0080-\u00BF][\u001A\u0080-\u00BF][\u001A?]"
        + "|\u001A",
        RegexOptions.CultureInvariant);

    private static readonly Regex InconsistentUtf8 = BuildInconsistentUtf8Detector();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns <paramref name="text"/> with its mojibake repaired; other text comes back unchanged.</summary>
    public static string Fix(string text)
    {
        while (true)
        {
            string fixedText = FixOneStep(text);
            if (fixedText == text)
            {
                return text;
            }

            text = fixedText;
        }
    }

    private static string FixOneStep(string text)
    {
        if (text.Length == 0 || IsAscii(text) || !MojibakeHeuristic.IsBad(text))
        {
            return text;
        }

        bool latin1Possible = false;
        foreach (SingleByteCodec codec in SingleByteCodec.RepairOrder)
        {
            if (!codec.CanEncode(text))
            {
                continue;
            }

            latin1Possible |= ReferenceEquals(codec, SingleByteCodec.Latin1);
            byte[] bytes = codec.Encode(text);
            if (codec.Name != "macroman")
            {
                bytes = RestoreByteA0(bytes);
            }

            if (codec.IsSloppy)
            {
                bytes = ReplaceLossySequences(bytes);
            }

            if (TryDecodeUtf8Variants(bytes, out string? decoded))
            {
                return decoded;
            }
        }

        if (InconsistentUtf8.IsMatch(text))
        {
            string repaired = DecodeInconsistentUtf8(text);
            if (repaired != text)
            {
                return repaired;
            }
        }

        // Latin-1 text with C1 controls was most likely meant as Windows-1252; ftfy decodes it with
        // the strict code page, which fails (and so changes nothing) on the five undefined bytes.
        if (latin1Possible && HasC1Control(text) && TryDecodeStrictWindows1252(text, out string? windows))
        {
            return windows;
        }

        return HasC1Control(text) ? TextRepair.FixC1Controls(text) : text;
    }

    private static bool IsAscii(string text)
    {
        foreach (char c in text)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasC1Control(string text)
    {
        foreach (char c in text)
        {
            if (c is >= '\u0080' and <= '\u009F')
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryDecodeStrictWindows1252(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? decoded)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= '\u0080' and <= '\u009F')
            {
                char mapped = SingleByteCodec.SloppyWindows1252.Decode((byte)c);
                if (mapped == c)
                {
                    decoded = null;
                    return false;
                }

                builder.Append(mapped);
            }
            else
            {
                builder.Append(c);
            }
        }

        decoded = builder.ToString();
        return true;
    }

    private static byte[] RestoreByteA0(byte[] bytes) =>
        ReplaceOnBytes(bytes, AlteredUtf8, match => match.Value.Replace(' ', '\u00A0'));

    private static byte[] ReplaceLossySequences(byte[] bytes) =>
        ReplaceOnBytes(bytes, LossyUtf8, _ => "\u00EF\u00BF\u00BD"); // the UTF-8 bytes of U+FFFD

    // Runs a regular expression over bytes by viewing each byte as the Latin-1 character of the same value.
    private static byte[] ReplaceOnBytes(byte[] bytes, Regex pattern, MatchEvaluator evaluator)
    {
        string view = Encoding.Latin1.GetString(bytes);
        string replaced = pattern.Replace(view, evaluator);
        return ReferenceEquals(replaced, view) || replaced == view ? bytes : Encoding.Latin1.GetBytes(replaced);
    }

    // Decodes UTF-8 strictly, also accepting CESU-8 surrogate pairs and the overlong C0 80 for U+0000
    // (ftfy's "utf-8-variants"); returns false on any other invalid sequence.
    private static bool TryDecodeUtf8Variants(byte[] bytes, out string decoded)
    {
        decoded = "";
        try
        {
            if (Array.IndexOf(bytes, LeadByteOfSurrogates) < 0 && Array.IndexOf(bytes, LeadByteOfOverlongNull) < 0)
            {
                decoded = StrictUtf8.GetString(bytes);
                return true;
            }

            var builder = new StringBuilder(bytes.Length);
            int start = 0;
            int i = 0;
            while (i < bytes.Length)
            {
                int special = MatchVariantSequence(bytes, i, out char high, out char low);
                if (special == 0)
                {
                    i++;
                    continue;
                }

                builder.Append(StrictUtf8.GetString(bytes, start, i - start));
                builder.Append(high);
                if (low != '\0')
                {
                    builder.Append(low);
                }

                i += special;
                start = i;
            }

            builder.Append(StrictUtf8.GetString(bytes, start, bytes.Length - start));
            decoded = builder.ToString();
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // Returns the length of a CESU-8 surrogate pair or an overlong null at index, or 0.
    private static int MatchVariantSequence(byte[] bytes, int index, out char high, out char low)
    {
        high = '\0';
        low = '\0';
        if (bytes[index] == LeadByteOfOverlongNull && index + 1 < bytes.Length && bytes[index + 1] == 0x80)
        {
            return 2;
        }

        const int PairLength = 6;
        if (bytes[index] != LeadByteOfSurrogates || index + PairLength > bytes.Length)
        {
            return 0;
        }

        bool isPair = bytes[index + 1] is >= 0xA0 and <= 0xAF && IsContinuation(bytes[index + 2])
            && bytes[index + 3] == LeadByteOfSurrogates
            && bytes[index + 4] is >= 0xB0 and <= 0xBF && IsContinuation(bytes[index + 5]);
        if (!isPair)
        {
            return 0;
        }

        high = (char)(0xD000 | ((bytes[index + 1] & 0x3F) << 6) | (bytes[index + 2] & 0x3F));
        low = (char)(0xD000 | ((bytes[index + 4] & 0x3F) << 6) | (bytes[index + 5] & 0x3F));
        return PairLength;
    }

    private static bool IsContinuation(byte value) => value is >= 0x80 and <= 0xBF;

    // Repairs runs that look like UTF-8 mojibake inside otherwise sound text, one run at a time.
    private static string DecodeInconsistentUtf8(string text) =>
        InconsistentUtf8.Replace(text, match =>
            match.Length < text.Length && MojibakeHeuristic.IsBad(match.Value) ? Fix(match.Value) : match.Value);

    // Character sets for the detector: what bytes 0xC2-0xDF (lead of two), 0xE0-0xEF (lead of three),
    // 0xF0-0xF4 (lead of four) and 0x80-0xBF (continuation) decode to in Latin-1 and the Windows maps.
    private static Regex BuildInconsistentUtf8Detector()
    {
        SingleByteCodec[] maps = SingleByteCodec.RepairOrder.Where(c => c.Name == "latin-1" || c.IsSloppy).ToArray();

        string charsOf(int first, int last) =>
            new string(maps.SelectMany(m => Enumerable.Range(first, last - first + 1).Select(b => m.Decode((byte)b)))
                .Distinct().Order().ToArray());

        // Continuation characters that also stand for themselves next to mojibake: dashes, the
        // bullet, quotation marks and the ellipsis. Only the strict set blocks a match from behind.
        const string StandAlone = "\u2013\u2014\u2015\u2018\u2019\u201A\u201C\u201D\u201E\u2022\u2026";
        string continuation = charsOf(0x80, 0xBF);
        string strict = new(continuation.Where(c => !StandAlone.Contains(c)).ToArray());

        string cls(string chars) => "[" + Regex.Escape(chars).Replace("]", @"\]").Replace("-", @"\-") + "]";
        string cont = cls(continuation + " ");
        string pattern = $"(?<!{cls(strict)})(?:{cls(charsOf(0xC2, 0xDF))}{cont}|{cls(charsOf(0xE0, 0xEF))}{cont}{{2}}|{cls(charsOf(0xF0, 0xF4))}{cont}{{3}})+";
        return new Regex(pattern, RegexOptions.CultureInvariant);
    }
}
