using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Text;

/// <summary>
/// CLIP's tokenizer: gives the same ids as OpenAI's reference (<c>clip.tokenize</c> and
/// <c>SimpleTokenizer</c>) for every text, built on the byte-level BPE of Microsoft.ML.Tokenizers.
/// </summary>
/// <remarks>
/// <para>
/// A text goes through <see cref="ClipTextCleaner.Clean(string)"/> (ftfy's repairs, HTML unescaping,
/// whitespace collapsing, Python's lowercasing), is split into words by CLIP's pre-tokenizer pattern,
/// and each word's UTF-8 bytes are BPE-merged with the end-of-word suffix <c>&lt;/w&gt;</c> on its last
/// symbol. Plain ASCII text without <c>&amp;</c> or control characters skips the cleaning, which
/// cannot change it beyond lowercasing.
/// </para>
/// <para>
/// Thread safety: one instance can be shared by any number of threads. Its only mutable state is a
/// bounded cache from word to ids (a concurrent dictionary); BPE work for words not yet cached is
/// serialised by a lock around the Microsoft.ML.Tokenizers model.
/// </para>
/// </remarks>
public sealed class ClipTokenizer
{
    // The row buffer on the stack for texts up to this many characters; longer ones rent from the pool.
    private const int StackLowercaseLimit = 512;
    private const int InitialIdCapacity = 96;

    // Texts of only these characters are unchanged by ftfy and HTML unescaping, so cleaning them is
    // lowercasing alone: printable ASCII without '&', and tab, line feed, form feed, carriage return.
    private static readonly SearchValues<char> PlainAsciiCharacters = SearchValues.Create(
        "\t\n\f\r !\"#$%'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private readonly BpeTokenizer bpe;
    private readonly object bpeLock = new();
    private readonly ConcurrentDictionary<string, int[]> wordCache = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> wordCacheBySpan;
#endif
    private int wordCacheCount;

    private ClipTokenizer(ClipVocabulary vocabulary, ClipTokenizerOptions options)
    {
        Vocabulary = vocabulary;
        Options = options;
        bpe = CreateBpe(vocabulary);
#if NET9_0_OR_GREATER
        wordCacheBySpan = wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>The vocabulary the ids refer to.</summary>
    public ClipVocabulary Vocabulary { get; }

    /// <summary>The settings this tokenizer was created with.</summary>
    public ClipTokenizerOptions Options { get; }

    /// <summary>The id of <c>&lt;|startoftext|&gt;</c> (49406 in OpenAI's vocabulary).</summary>
    public int StartOfTextId => Vocabulary.StartOfTextId;

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c> (49407 in OpenAI's vocabulary).</summary>
    public int EndOfTextId => Vocabulary.EndOfTextId;

    /// <summary>Creates a tokenizer over OpenAI's vocabulary, which is embedded in this library.</summary>
    /// <param name="options">Tokenizer settings; null for the defaults (reference behaviour).</param>
    public static ClipTokenizer CreateDefault(ClipTokenizerOptions? options = null) =>
        Create(ClipVocabulary.OpenAi, options);

    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/>.</summary>
    /// <param name="vocabulary">A CLIP vocabulary, for example from <see cref="ClipVocabulary.LoadHuggingFace(string, string)"/>.</param>
    /// <param name="options">Tokenizer settings; null for the defaults (reference behaviour).</param>
    /// <exception cref="ArgumentNullException"><paramref name="vocabulary"/> is null.</exception>
    public static ClipTokenizer Create(ClipVocabulary vocabulary, ClipTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return new ClipTokenizer(vocabulary, options ?? new ClipTokenizerOptions());
    }

    /// <summary>Encodes <paramref name="text"/> to BPE ids, without the start and end tokens (the reference's <c>SimpleTokenizer.encode</c>).</summary>
    /// <param name="text">Any text; lone surrogates become U+FFFD, and time grows linearly with length.</param>
    /// <returns>A new array of ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new IdBuffer(InitialIdCapacity);
        try
        {
            AppendIds(text, ref ids);
            return ids.AsSpan().ToArray();
        }
        finally
        {
            ids.Dispose();
        }
    }

    /// <summary>
    /// Tokenizes one text into a row of <see cref="ClipTokenizeOptions.ContextLength"/> ids: the start
    /// token, the BPE ids, the end token, then the pad id.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <param name="options">Row settings; null for the reference's (77 ids, pad 0, no truncation).</param>
    /// <returns>A new array of length L.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException">The text needs more than L ids and truncation is off.</exception>
    public long[] TokenizeToRow(string text, ClipTokenizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new ClipTokenizeOptions();
        var row = new long[options.ContextLength];
        FillRow(text, row, options, index: null);
        return row;
    }

    /// <summary>Tokenizes a batch of texts into an int64 tensor [B, L] on the CPU (the reference's <c>clip.tokenize</c>).</summary>
    /// <param name="texts">The texts, one row each.</param>
    /// <param name="options">Row settings; null for the reference's (77 ids, pad 0, no truncation).</param>
    /// <returns>A new tensor that the caller owns and disposes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its texts is null.</exception>
    /// <exception cref="ArgumentException">
    /// A text needs more than L ids and truncation is off; the message gives the text's index, its
    /// token count and the limit.
    /// </exception>
    public Tensor Tokenize(IReadOnlyList<string> texts, ClipTokenizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new ClipTokenizeOptions();
        int length = options.ContextLength;
        var data = new long[(long)texts.Count * length];
        for (int i = 0; i < texts.Count; i++)
        {
            string text = texts[i] ?? throw new ArgumentNullException(nameof(texts), $"The text at index {i} is null.");
            FillRow(text, data.AsSpan(i * length, length), options, i);
        }

        return torch.tensor(data, new long[] { texts.Count, length }, dtype: ScalarType.Int64); // [B, L]
    }

    /// <summary>Tokenizes one text into an int64 tensor [1, L]; see <see cref="Tokenize(IReadOnlyList{string}, ClipTokenizeOptions?)"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">Row settings; null for the reference's.</param>
    /// <returns>A new tensor that the caller owns and disposes.</returns>
    public Tensor Tokenize(string text, ClipTokenizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenize([text], options);
    }

    /// <summary>
    /// Decodes ids back to text as the reference's <c>SimpleTokenizer.decode</c>: token strings joined,
    /// bytes decoded as UTF-8 (invalid bytes become U+FFFD), and every <c>&lt;/w&gt;</c> replaced by a space.
    /// </summary>
    /// <param name="ids">Token ids, special and pad ids included as given.</param>
    /// <returns>The text; it ends with a space after a word, and special tokens appear as their strings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            foreach (char symbol in Vocabulary.GetToken(id))
            {
                if (!ByteLevelAlphabet.TryGetByte(symbol, out byte value))
                {
                    throw new InvalidDataException($"Token {id} ('{Vocabulary.GetToken(id)}') contains '{symbol}', which is not a byte-level symbol.");
                }

                bytes.Add(value);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray()).Replace(ClipVocabulary.EndOfWordSuffix, " ", StringComparison.Ordinal);
    }

    private void FillRow(string text, Span<long> row, ClipTokenizeOptions options, int? index)
    {
        var ids = new IdBuffer(InitialIdCapacity);
        try
        {
            AppendIds(text, ref ids);
            ReadOnlySpan<int> body = ids.AsSpan();
            int capacity = row.Length - 2; // room between the start and end tokens
            if (body.Length > capacity)
            {
                if (!options.Truncate)
                {
                    throw new ArgumentException(TooLongMessage(text, body.Length + 2, row.Length, index), index is null ? nameof(text) : "texts");
                }

                body = body.Slice(0, capacity);
            }

            row[0] = StartOfTextId;
            for (int i = 0; i < body.Length; i++)
            {
                row[i + 1] = body[i];
            }

            row[body.Length + 1] = EndOfTextId;
            row.Slice(body.Length + 2).Fill(options.PadId);
        }
        finally
        {
            ids.Dispose();
        }
    }

    private static string TooLongMessage(string text, int tokenCount, int contextLength, int? index)
    {
        const int PreviewLength = 40;
        string preview = text.Length <= PreviewLength ? text : text.Substring(0, PreviewLength) + "...";
        string which = index is null ? "The text" : $"The text at index {index}";
        return $"{which} (\"{preview}\") has {tokenCount} tokens including the start and end tokens, "
            + $"but the context length is {contextLength}. Shorten the text, or set {nameof(ClipTokenizeOptions)}.{nameof(ClipTokenizeOptions.Truncate)} = true "
            + $"to keep the first {contextLength - 2} BPE tokens.";
    }

    private void AppendIds(string text, ref IdBuffer ids)
    {
        if (text.AsSpan().IndexOfAnyExcept(PlainAsciiCharacters) < 0)
        {
            AppendIdsOfPlainAscii(text, ref ids);
            return;
        }

        AppendWordIds(ClipTextCleaner.Clean(text), ref ids);
    }

    private void AppendIdsOfPlainAscii(string text, ref IdBuffer ids)
    {
        char[]? rented = null;
        Span<char> lower = text.Length <= StackLowercaseLimit
            ? stackalloc char[StackLowercaseLimit]
            : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        try
        {
            lower = lower.Slice(0, text.Length);
            System.Text.Ascii.ToLower(text, lower, out _);
            AppendWordIds(lower, ref ids);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private void AppendWordIds(ReadOnlySpan<char> cleaned, ref IdBuffer ids)
    {
        var splitter = new ClipWordSplitter(cleaned, Options.SpecialTokens == SpecialTokenHandling.Parse);
        while (splitter.TryReadNext(out int start, out int length, out ClipWordSplitter.WordKind kind))
        {
            switch (kind)
            {
                case ClipWordSplitter.WordKind.StartOfText:
                    ids.Add(StartOfTextId);
                    break;
                case ClipWordSplitter.WordKind.EndOfText:
                    ids.Add(EndOfTextId);
                    break;
                default:
                    ids.AddRange(GetWordIds(cleaned.Slice(start, length)));
                    break;
            }
        }
    }

    private int[] GetWordIds(ReadOnlySpan<char> word)
    {
#if NET9_0_OR_GREATER
        if (wordCacheBySpan.TryGetValue(word, out int[]? cached))
        {
            return cached;
        }

        string key = word.ToString();
#else
        string key = word.ToString();
        if (wordCache.TryGetValue(key, out int[]? cached))
        {
            return cached;
        }
#endif

        int[] encoded;
        lock (bpeLock)
        {
            encoded = bpe.EncodeToIds(key, considerPreTokenization: true, considerNormalization: false).ToArray();
        }

        if (Volatile.Read(ref wordCacheCount) < Options.WordCacheCapacity && wordCache.TryAdd(key, encoded))
        {
            Interlocked.Increment(ref wordCacheCount);
        }

        return encoded;
    }

    // The model sees one word at a time, already split by ClipWordSplitter, so its pre-tokenizer keeps
    // the whole input as one piece; that way the end-of-word suffix goes on the word's last symbol.
    private static BpeTokenizer CreateBpe(ClipVocabulary vocabulary)
    {
        var options = new BpeOptions(vocabulary.Ids)
        {
            Merges = vocabulary.Merges.Select(merge => merge.Left + " " + merge.Right),
            ByteLevel = true,
            EndOfWordSuffix = ClipVocabulary.EndOfWordSuffix,
            PreTokenizer = new RegexPreTokenizer(new Regex(@"[\s\S]+", RegexOptions.CultureInvariant), specialTokens: null),
        };
        return BpeTokenizer.Create(options);
    }

    // A growable list of ids in pooled memory, so that encoding a caption allocates nothing.
    private struct IdBuffer : IDisposable
    {
        private int[] items;
        private int count;

        public IdBuffer(int capacity)
        {
            items = ArrayPool<int>.Shared.Rent(capacity);
            count = 0;
        }

        public readonly ReadOnlySpan<int> AsSpan() => items.AsSpan(0, count);

        public void Add(int id)
        {
            if (count == items.Length)
            {
                Grow(count + 1);
            }

            items[count++] = id;
        }

        public void AddRange(ReadOnlySpan<int> ids)
        {
            if (count + ids.Length > items.Length)
            {
                Grow(count + ids.Length);
            }

            ids.CopyTo(items.AsSpan(count));
            count += ids.Length;
        }

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(items);
            items = [];
        }

        private void Grow(int required)
        {
            int[] larger = ArrayPool<int>.Shared.Rent(Math.Max(required, items.Length * 2));
            items.AsSpan(0, count).CopyTo(larger);
            ArrayPool<int>.Shared.Return(items);
            items = larger;
        }
    }
}
