using System.Text.Json;
using Clip.Text;
using Xunit;

namespace Clip.Tests.Text;

/// <summary>
/// Parity with OpenAI's reference tokenizer on every line of the tokenizer fixture file
/// (<c>CLIP_GOLDEN_TOKENIZER</c>): one test case per line.
/// </summary>
[Trait("Category", "Golden")]
public sealed class TokenizerGoldenTests
{
    private const int ReferenceContextLength = 77;

    private static readonly ClipTokenizer Tokenizer = ClipTokenizer.CreateDefault();

    /// <summary>One entry per line of the fixture; throws (failing the theory) when the file is missing or empty.</summary>
    public static TheoryData<int> CaseLines()
    {
        string[] lines = ReadCaseLines();
        var data = new TheoryData<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            data.Add(i + 1);
        }

        return data;
    }

    [Fact]
    public void Fixture_HasCases_AtConfiguredPath()
    {
        Assert.True(File.Exists(TestPaths.GoldenTokenizer), $"Tokenizer fixture not found at '{TestPaths.GoldenTokenizer}'; set CLIP_GOLDEN_TOKENIZER.");
        Assert.NotEmpty(ReadCaseLines());
    }

    [Theory]
    [MemberData(nameof(CaseLines))]
    public void Encode_MatchesReference_ForFixtureLine(int lineNumber)
    {
        GoldenCase expected = ReadCase(lineNumber);

        int[] bpeIds = Tokenizer.EncodeToIds(expected.Text);
        long[] row = Tokenizer.TokenizeToRow(expected.Text, new ClipTokenizeOptions { Truncate = true });
        bool fits = bpeIds.Length + 2 <= ReferenceContextLength;

        Assert.True(expected.BpeIds.SequenceEqual(bpeIds), $"Line {lineNumber} ({Show(expected.Text)}): bpe_ids differ.\n expected [{string.Join(", ", expected.BpeIds)}]\n actual   [{string.Join(", ", bpeIds)}]");
        Assert.True(expected.Tokens.SequenceEqual(row), $"Line {lineNumber} ({Show(expected.Text)}): 77-id rows differ.\n expected [{string.Join(", ", expected.Tokens)}]\n actual   [{string.Join(", ", row)}]");
        Assert.Equal(ReferenceContextLength, row.Length);
        Assert.True(expected.Fits == fits, $"Line {lineNumber} ({Show(expected.Text)}): fits expected {expected.Fits}, actual {fits}.");
        Assert.Equal(expected.Decoded, Tokenizer.Decode(expected.BpeIds));
    }

    [Theory]
    [MemberData(nameof(CaseLines))]
    public void Tokenize_ThrowsOnlyWhenReferenceDoes_ForFixtureLine(int lineNumber)
    {
        GoldenCase expected = ReadCase(lineNumber);

        Exception? error = Record.Exception(() => Tokenizer.TokenizeToRow(expected.Text));

        if (expected.Fits)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.IsType<ArgumentException>(error);
        }
    }

    [Theory]
    [MemberData(nameof(CaseLines))]
    public void Clean_MatchesReference_ForFixtureLine(int lineNumber)
    {
        GoldenCase expected = ReadCase(lineNumber);
        if (expected.Cleaned is null)
        {
            return; // the field is optional in the fixture format
        }

        Assert.Equal(expected.Cleaned, ClipTextCleaner.Clean(expected.Text));
    }

    private static string Show(string text) => JsonSerializer.Serialize(text.Length <= 60 ? text : text.Substring(0, 60) + "...");

    private static string[] ReadCaseLines()
    {
        string path = TestPaths.GoldenTokenizer;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer fixture not found at '{path}'; set CLIP_GOLDEN_TOKENIZER to a JSON-lines file of reference cases.", path);
        }

        string[] lines = File.ReadAllLines(path).Where(line => line.Trim().Length > 0).ToArray();
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"Tokenizer fixture '{path}' has no cases; it needs one JSON object per line.");
        }

        return lines;
    }

    private static GoldenCase ReadCase(int lineNumber)
    {
        using JsonDocument document = JsonDocument.Parse(ReadCaseLines()[lineNumber - 1]);
        JsonElement root = document.RootElement;
        return new GoldenCase(
            root.GetProperty("text").GetString()!,
            root.GetProperty("bpe_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            root.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            root.GetProperty("fits").GetBoolean(),
            root.GetProperty("decoded").GetString()!,
            root.TryGetProperty("cleaned", out JsonElement cleaned) ? cleaned.GetString() : null);
    }

    private sealed record GoldenCase(string Text, int[] BpeIds, long[] Tokens, bool Fits, string Decoded, string? Cleaned);
}
