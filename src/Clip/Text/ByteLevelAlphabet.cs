namespace Clip.Text;

/// <summary>
/// The byte-level alphabet of GPT-2 style BPE, which CLIP uses: each of the 256 byte values is shown as a
/// printable character, so that every UTF-8 string becomes a string over 256 symbols.
/// </summary>
/// <remarks>
/// Printable Latin-1 bytes (<c>!</c> to <c>~</c>, <c>¡</c> to <c>¬</c>, <c>®</c> to <c>ÿ</c>) stand for
/// themselves; the other 68 bytes map, in increasing order, to U+0100 and the code points after it.
/// </remarks>
internal static class ByteLevelAlphabet
{
    private const int ByteCount = 256;
    private const int FirstRemappedCodePoint = 0x100;

    /// <summary>The bytes in the order the OpenAI vocabulary lists their symbols (printable ones first).</summary>
    public static IReadOnlyList<byte> VocabularyOrder { get; }

    /// <summary>The symbol of each byte value.</summary>
    public static IReadOnlyList<char> ByteToChar { get; }

    private static readonly Dictionary<char, byte> CharToByte;

    static ByteLevelAlphabet()
    {
        var order = new List<byte>();
        AddRange(order, '!', '~');
        AddRange(order, '\u00A1', '\u00AC');
        AddRange(order, '\u00AE', '\u00FF');

        var symbols = new char[ByteCount];
        foreach (byte b in order)
        {
            symbols[b] = (char)b;
        }

        int next = FirstRemappedCodePoint;
        for (int b = 0; b < ByteCount; b++)
        {
            if (!order.Contains((byte)b))
            {
                order.Add((byte)b);
                symbols[b] = (char)next++;
            }
        }

        VocabularyOrder = order;
        ByteToChar = symbols;
        CharToByte = Enumerable.Range(0, ByteCount).ToDictionary(b => symbols[b], b => (byte)b);
    }

    /// <summary>Returns the byte a symbol stands for, or false when <paramref name="symbol"/> is not in the alphabet.</summary>
    public static bool TryGetByte(char symbol, out byte value) => CharToByte.TryGetValue(symbol, out value);

    private static void AddRange(List<byte> order, char first, char last)
    {
        for (char c = first; c <= last; c++)
        {
            order.Add((byte)c);
        }
    }
}
