using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Clip.Text;

/// <summary>
/// A CLIP BPE vocabulary: the token strings with their ids, the ordered merge rules, and the ids of the
/// start and end tokens.
/// </summary>
/// <remarks>
/// The default is OpenAI's vocabulary (<c>bpe_simple_vocab_16e6.txt.gz</c>, MIT licence, shipped inside
/// this library with its licence file): 256 byte symbols, the same 256 with the end-of-word suffix
/// <c>&lt;/w&gt;</c>, 48,894 merged tokens, then <c>&lt;|startoftext|&gt;</c> (49406) and
/// <c>&lt;|endoftext|&gt;</c> (49407). Instances are immutable and safe to share across threads.
/// </remarks>
public sealed class ClipVocabulary
{
    /// <summary>The start token's text.</summary>
    public const string StartOfTextToken = "<|startoftext|>";

    /// <summary>The end token's text.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>The suffix that marks the last symbol of a word.</summary>
    public const string EndOfWordSuffix = "</w>";

    private const string OpenAiResourceName = "Clip.Text.Vocabulary.bpe_simple_vocab_16e6.txt.gz";

    // The OpenAI file's first line is a version header, and the reference reads only the merges that
    // fill a vocabulary of 49,152 = 2 x 256 byte tokens + 48,894 merges + 2 special tokens.
    private const int OpenAiMergeCount = 49152 - 256 - 2;

    private const string MergesHeader = "#version: 0.2";

    private static readonly Lazy<ClipVocabulary> OpenAiDefault = new(() =>
    {
        using Stream stream = typeof(ClipVocabulary).Assembly.GetManifestResourceStream(OpenAiResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{OpenAiResourceName}' is missing from the Clip assembly.");
        return LoadOpenAiBpe(stream);
    });

    private readonly string[] tokens;

    private ClipVocabulary(IReadOnlyDictionary<string, int> ids, IReadOnlyList<(string Left, string Right)> merges)
    {
        int size = ids.Count == 0 ? 0 : ids.Values.Max() + 1;
        tokens = new string[size];
        foreach ((string token, int id) in ids)
        {
            if (id < 0)
            {
                throw new InvalidDataException($"Token '{token}' has the negative id {id}; ids must be 0 or more.");
            }

            if (tokens[id] is not null)
            {
                throw new InvalidDataException($"Tokens '{tokens[id]}' and '{token}' share the id {id}; each id must be unique.");
            }

            tokens[id] = token;
        }

        int firstGap = Array.IndexOf(tokens, null);
        if (firstGap >= 0)
        {
            throw new InvalidDataException($"No token has the id {firstGap}; ids must run from 0 to {size - 1} without gaps.");
        }

        Ids = ids;
        Merges = merges;
        StartOfTextId = RequireToken(ids, StartOfTextToken);
        EndOfTextId = RequireToken(ids, EndOfTextToken);
    }

    /// <summary>OpenAI's vocabulary, loaded once from the copy embedded in this library.</summary>
    public static ClipVocabulary OpenAi => OpenAiDefault.Value;

    /// <summary>The id of each token string.</summary>
    public IReadOnlyDictionary<string, int> Ids { get; }

    /// <summary>The merge rules in priority order (earlier merges apply first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>The number of tokens (49,408 for OpenAI's vocabulary).</summary>
    public int Count => tokens.Length;

    /// <summary>The id of <c>&lt;|startoftext|&gt;</c>.</summary>
    public int StartOfTextId { get; }

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>.</summary>
    public int EndOfTextId { get; }

    /// <summary>Returns the token string of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string GetToken(int id)
    {
        if ((uint)id >= (uint)tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id must be in [0, {tokens.Length}).");
        }

        return tokens[id];
    }

    /// <summary>Loads OpenAI's gzip-compressed BPE file (<c>bpe_simple_vocab_16e6.txt.gz</c>).</summary>
    /// <param name="path">Path of the <c>.txt.gz</c> file.</param>
    public static ClipVocabulary LoadOpenAiBpe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return LoadOpenAiBpe(stream);
    }

    /// <summary>Loads OpenAI's gzip-compressed BPE file from a stream, which stays open.</summary>
    /// <param name="gzipStream">The compressed file's bytes.</param>
    /// <exception cref="InvalidDataException">The file has fewer merge lines than the format requires.</exception>
    public static ClipVocabulary LoadOpenAiBpe(Stream gzipStream)
    {
        ArgumentNullException.ThrowIfNull(gzipStream);
        using var gzip = new GZipStream(gzipStream, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        string[] lines = reader.ReadToEnd().Split('\n');
        if (lines.Length < OpenAiMergeCount + 1)
        {
            throw new InvalidDataException($"The BPE file has {lines.Length} lines; it needs a header line and {OpenAiMergeCount} merge lines.");
        }

        var merges = lines.Skip(1).Take(OpenAiMergeCount).Select((line, index) => ParseMerge(line, index + 2)).ToList();

        // Ids: byte symbols, byte symbols ending a word, merged tokens, then the special tokens.
        var vocabulary = new List<string>();
        vocabulary.AddRange(ByteLevelAlphabet.VocabularyOrder.Select(b => ByteLevelAlphabet.ByteToChar[b].ToString()));
        vocabulary.AddRange(vocabulary.ToArray().Select(symbol => symbol + EndOfWordSuffix));
        vocabulary.AddRange(merges.Select(merge => merge.Left + merge.Right));
        vocabulary.Add(StartOfTextToken);
        vocabulary.Add(EndOfTextToken);

        var ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocabulary.Count; id++)
        {
            ids.Add(vocabulary[id], id);
        }

        return new ClipVocabulary(ids, merges);
    }

    /// <summary>Loads a Hugging Face tokenizer pair: <c>vocab.json</c> (token to id) and <c>merges.txt</c>.</summary>
    /// <param name="vocabularyJsonPath">Path of <c>vocab.json</c>.</param>
    /// <param name="mergesPath">Path of <c>merges.txt</c>.</param>
    public static ClipVocabulary LoadHuggingFace(string vocabularyJsonPath, string mergesPath)
    {
        ArgumentNullException.ThrowIfNull(vocabularyJsonPath);
        ArgumentNullException.ThrowIfNull(mergesPath);
        using FileStream vocabulary = File.OpenRead(vocabularyJsonPath);
        using FileStream merges = File.OpenRead(mergesPath);
        return LoadHuggingFace(vocabulary, merges);
    }

    /// <summary>Loads a Hugging Face tokenizer pair from streams, which stay open.</summary>
    /// <param name="vocabularyJson">The <c>vocab.json</c> bytes: a JSON object mapping each token to its id.</param>
    /// <param name="merges">The <c>merges.txt</c> bytes: an optional <c>#version</c> line, then one merge per line.</param>
    /// <exception cref="InvalidDataException">The files are malformed, or lack the start or end token.</exception>
    public static ClipVocabulary LoadHuggingFace(Stream vocabularyJson, Stream merges)
    {
        ArgumentNullException.ThrowIfNull(vocabularyJson);
        ArgumentNullException.ThrowIfNull(merges);
        Dictionary<string, int> ids;
        try
        {
            ids = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabularyJson)
                ?? throw new InvalidDataException("vocab.json contains null; it must be a JSON object mapping tokens to ids.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"vocab.json is not a JSON object mapping tokens to integer ids: {exception.Message}", exception);
        }

        using var reader = new StreamReader(merges, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        var rules = new List<(string, string)>();
        int lineNumber = 0;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }

            rules.Add(ParseMerge(line, lineNumber));
        }

        return new ClipVocabulary(new Dictionary<string, int>(ids, StringComparer.Ordinal), rules);
    }

    /// <summary>Writes this vocabulary as a Hugging Face pair: <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    /// <param name="vocabularyJsonPath">Where to write <c>vocab.json</c> (tokens in id order).</param>
    /// <param name="mergesPath">Where to write <c>merges.txt</c> (a <c>#version: 0.2</c> line, then one merge per line).</param>
    public void SaveHuggingFace(string vocabularyJsonPath, string mergesPath)
    {
        ArgumentNullException.ThrowIfNull(vocabularyJsonPath);
        ArgumentNullException.ThrowIfNull(mergesPath);
        using (FileStream vocabulary = File.Create(vocabularyJsonPath))
        {
            using var writer = new Utf8JsonWriter(vocabulary);
            writer.WriteStartObject();
            for (int id = 0; id < tokens.Length; id++)
            {
                writer.WriteNumber(tokens[id], id);
            }

            writer.WriteEndObject();
        }

        var text = new StringBuilder();
        text.Append(MergesHeader).Append('\n');
        foreach ((string left, string right) in Merges)
        {
            text.Append(left).Append(' ').Append(right).Append('\n');
        }

        File.WriteAllText(mergesPath, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static (string Left, string Right) ParseMerge(string line, int lineNumber)
    {
        string[] parts = line.TrimEnd('\r').Split(' ');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new InvalidDataException($"Merge line {lineNumber} is '{line}'; each merge line must be two tokens separated by one space.");
        }

        return (parts[0], parts[1]);
    }

    private static int RequireToken(IReadOnlyDictionary<string, int> ids, string token) =>
        ids.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException($"The vocabulary has no '{token}' token; a CLIP vocabulary needs both '{StartOfTextToken}' and '{EndOfTextToken}'.");
}
