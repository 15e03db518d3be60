using System.Text;

namespace Clip.Text;

/// <summary>
/// A single-byte character map (Latin-1, a Windows code page, ISO 8859-2, Mac Roman or code page 437)
/// used to undo mojibake: text that was UTF-8 but got decoded with one of these maps.
/// </summary>
/// <remarks>
/// The "sloppy" Windows maps follow the Python text-repair library ftfy: bytes that the code page
/// leaves undefined decode to the Latin-1 character of the same value, and byte 0x1A stands for
/// U+FFFD (a character whose original byte was lost). Bytes 0x00 to 0x7F are ASCII in every map.
/// </remarks>
internal sealed class SingleByteCodec
{
    private const int AsciiLimit = 0x80;
    private const byte SubstituteByte = 0x1A; // stands for U+FFFD in the sloppy maps
    private const char ReplacementCharacter = '\uFFFD';
    private const char FirstPrivateUse = '\uE000';
    private const char LastPrivateUse = '\uF8FF';

    private readonly char[] byteToChar = new char[256];
    private readonly Dictionary<char, byte> charToByte = new();

    private SingleByteCodec(string name, bool isSloppy, Func<byte, char?> decodeHighByte)
    {
        Name = name;
        IsSloppy = isSloppy;
        for (int b = 0; b < AsciiLimit; b++)
        {
            byteToChar[b] = (char)b;
        }

        for (int b = AsciiLimit; b < 256; b++)
        {
            byteToChar[b] = decodeHighByte((byte)b) ?? (char)b;
        }

        if (isSloppy)
        {
            byteToChar[SubstituteByte] = ReplacementCharacter;
        }

        for (int b = 255; b >= 0; b--)
        {
            charToByte[byteToChar[b]] = (byte)b;
        }
    }

    /// <summary>The name ftfy uses for the map (for example <c>sloppy-windows-1252</c>).</summary>
    public string Name { get; }

    /// <summary>Whether undefined bytes fall back to Latin-1 and 0x1A stands for U+FFFD.</summary>
    public bool IsSloppy { get; }

    /// <summary>The maps ftfy 6.3.1 tries, in its order.</summary>
    public static IReadOnlyList<SingleByteCodec> RepairOrder { get; } = CreateRepairOrder();

    /// <summary>Latin-1 (ISO 8859-1): byte value equals code point.</summary>
    public static SingleByteCodec Latin1 => RepairOrder[0];

    /// <summary>Windows-1252 with the Latin-1 fallback for undefined bytes.</summary>
    public static SingleByteCodec SloppyWindows1252 => RepairOrder[1];

    /// <summary>Returns the character that <paramref name="value"/> decodes to.</summary>
    public char Decode(byte value) => byteToChar[value];

    /// <summary>Returns whether every character of <paramref name="text"/> has a byte in this map.</summary>
    public bool CanEncode(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c < AsciiLimit ? c == SubstituteByte && IsSloppy : !charToByte.ContainsKey(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Encodes <paramref name="text"/>; every character must have a byte (see <see cref="CanEncode"/>).</summary>
    public byte[] Encode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bytes[i] = c < AsciiLimit ? (byte)c : charToByte[c];
        }

        return bytes;
    }

    private static SingleByteCodec[] CreateRepairOrder()
    {
        return
        [
            new SingleByteCodec("latin-1", isSloppy: false, b => (char)b),
            Windows(1252, [0x81, 0x8D, 0x8F, 0x90, 0x9D]),
            Windows(1251, [0x98]),
            Windows(1250, [0x81, 0x83, 0x88, 0x90, 0x98]),
            Windows(1253, [0x81, 0x88, 0x8A, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x98, 0x9A, 0x9C, 0x9D, 0x9E, 0x9F, 0xAA, 0xD2, 0xFF]),
            Windows(1254, [0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E]),
            Windows(1257, [0x81, 0x83, 0x88, 0x8A, 0x8C, 0x90, 0x98, 0x9A, 0x9C, 0x9F, 0xA1, 0xA5]),
            CodePage("iso-8859-2", 28592),
            CodePage("macroman", 10000),
            CodePage("cp437", 437),
        ];
    }

    // Undefined bytes are listed explicitly because the platform's tables map some of them to
    // private-use characters where Python's codecs (and so ftfy) treat them as undefined.
    private static SingleByteCodec Windows(int codePage, byte[] undefinedBytes)
    {
        Encoding encoding = GetStrictEncoding(codePage);
        return new SingleByteCodec($"sloppy-windows-{codePage}", isSloppy: true,
            b => Array.IndexOf(undefinedBytes, b) >= 0 ? null : DecodeWith(encoding, b));
    }

    private static SingleByteCodec CodePage(string name, int codePage)
    {
        Encoding encoding = GetStrictEncoding(codePage);
        return new SingleByteCodec(name, isSloppy: false, b => DecodeWith(encoding, b));
    }

    private static Encoding GetStrictEncoding(int codePage)
    {
        Encoding? encoding = CodePagesEncodingProvider.Instance.GetEncoding(
            codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        return encoding ?? throw new InvalidOperationException($"Code page {codePage} is not available on this platform.");
    }

    private static char? DecodeWith(Encoding encoding, byte value)
    {
        try
        {
            string decoded = encoding.GetString([value]);
            bool usable = decoded.Length == 1
                && decoded[0] != ReplacementCharacter
                && (decoded[0] < FirstPrivateUse || decoded[0] > LastPrivateUse);
            return usable ? decoded[0] : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
