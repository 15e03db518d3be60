using System.Diagnostics;
using System.Text;
using Clip.Text;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Text;

public sealed class ClipTokenizerTests
{
    private const int StartId = 49406;
    private const int EndId = 49407;

    private static readonly ClipTokenizer Tokenizer = ClipTokenizer.CreateDefault();

    [Fact]
    public void EncodeToIds_Throws_WhenTextIsNull()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.EncodeToIds(null!));
    }

    [Fact]
    public void Tokenize_Throws_WhenListIsNull()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.Tokenize((IReadOnlyList<string>)null!));
    }

    [Fact]
    public void Tokenize_NamesIndex_WhenOneTextIsNull()
    {
        var error = Assert.Throws<ArgumentNullException>(() => Tokenizer.Tokenize(["a cat", null!]));

        Assert.Contains("index 1", error.Message);
    }

    [Fact]
    public void Decode_Throws_WhenIdsAreNull()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.Decode(null!));
    }

    [Fact]
    public void Decode_Throws_WhenIdIsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([49408]));
    }

    [Fact]
    public void EncodeToIds_TreatsLoneSurrogatesAsReplacementCharacter()
    {
        int[] expected = Tokenizer.EncodeToIds("a\uFFFDb \uFFFD");

        Assert.Equal(expected, Tokenizer.EncodeToIds("a\uD800b \uDC00"));
    }

    [Fact]
    public void EncodeToIds_HandlesReversedSurrogatePair()
    {
        int[] ids = Tokenizer.EncodeToIds("x\uDE00\uD83Dy");

        Assert.Equal(Tokenizer.EncodeToIds("x\uFFFD\uFFFDy"), ids);
    }

    [Fact]
    public void Tokenize_ReturnsInt64Tensor_OfBatchByContextLength()
    {
        using Tensor tokens = Tokenizer.Tokenize(["a photo of a cat.", "", "a dog"]);

        Assert.Equal(new long[] { 3, 77 }, tokens.shape);
        Assert.Equal(ScalarType.Int64, tokens.dtype);
        Assert.Equal(new long[] { StartId, 320, 1125, 539, 320, 2368, 269, EndId, 0 }, tokens[0].data<long>().Take(9).ToArray());
        Assert.Equal(new long[] { StartId, EndId, 0 }, tokens[1].data<long>().Take(3).ToArray());
    }

    [Fact]
    public void Tokenize_ReturnsEmptyBatch_ForNoTexts()
    {
        using Tensor tokens = Tokenizer.Tokenize(Array.Empty<string>());

        Assert.Equal(new long[] { 0, 77 }, tokens.shape);
    }

    [Fact]
    public void Tokenize_MatchesRowMethod_ForEveryText()
    {
        string[] texts = ["a photo of a cat.", "Zürich &amp; Genève", "😀 emoji"];

        using Tensor tokens = Tokenizer.Tokenize(texts);

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(Tokenizer.TokenizeToRow(texts[i]), tokens[i].data<long>().ToArray());
        }
    }

    [Fact]
    public void TokenizeToRow_UsesContextLengthAndPadId_FromOptions()
    {
        var options = new ClipTokenizeOptions { ContextLength = 10, PadId = EndId };

        long[] row = Tokenizer.TokenizeToRow("a cat", options);

        Assert.Equal(new long[] { StartId, 320, 2368, EndId, EndId, EndId, EndId, EndId, EndId, EndId }, row);
    }

    [Fact]
    public void TokenizeToRow_Throws_WhenTextDoesNotFitAndTruncationIsOff()
    {
        string text = string.Join(' ', Enumerable.Repeat("cat", 80));

        var error = Assert.Throws<ArgumentException>(() => Tokenizer.TokenizeToRow(text));

        Assert.Contains("82 tokens", error.Message);
        Assert.Contains("context length is 77", error.Message);
        Assert.Contains("Truncate = true", error.Message);
    }

    [Fact]
    public void Tokenize_NamesIndexInError_WhenBatchTextDoesNotFit()
    {
        string tooLong = string.Join(' ', Enumerable.Repeat("cat", 80));

        var error = Assert.Throws<ArgumentException>(() => Tokenizer.Tokenize(["a cat", tooLong]));

        Assert.Contains("index 1", error.Message);
    }

    [Fact]
    public void TokenizeToRow_KeepsFirstIdsAndEndToken_WhenTruncating()
    {
        string text = string.Join(' ', Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "cat" : "dog"));
        int[] bpe = Tokenizer.EncodeToIds(text);

        long[] row = Tokenizer.TokenizeToRow(text, new ClipTokenizeOptions { ContextLength = 8, Truncate = true });

        Assert.Equal(new long[] { StartId }.Concat(bpe.Take(6).Select(id => (long)id)).Append(EndId), row);
    }

    [Fact]
    public void TokenizeToRow_AcceptsTextThatExactlyFills_TheRow()
    {
        long[] row = Tokenizer.TokenizeToRow("a cat", new ClipTokenizeOptions { ContextLength = 4 });

        Assert.Equal(new long[] { StartId, 320, 2368, EndId }, row);
    }

    [Fact]
    public void TokenizeOptions_Reject_ContextLengthBelowTwo()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ClipTokenizeOptions { ContextLength = 1 });

        Assert.Equal("ContextLength", error.ParamName);
    }

    [Fact]
    public void TokenizeOptions_Reject_NegativePadId()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipTokenizeOptions { PadId = -1 });
    }

    [Fact]
    public void TokenizerOptions_Reject_NegativeCacheCapacity()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipTokenizerOptions { WordCacheCapacity = -1 });
    }

    [Fact]
    public void EncodeToIds_ParsesSpecialTokenStrings_ByDefault()
    {
        int[] ids = Tokenizer.EncodeToIds("hello <|ENDOFTEXT|> world");

        Assert.Equal(new[] { 3306, EndId, 1002 }, ids);
    }

    [Fact]
    public void EncodeToIds_SplitsSpecialTokenStrings_WhenTreatedAsPlainText()
    {
        var plain = ClipTokenizer.CreateDefault(new ClipTokenizerOptions { SpecialTokens = SpecialTokenHandling.PlainText });

        int[] ids = plain.EncodeToIds("hello <|endoftext|> world");

        Assert.DoesNotContain(EndId, ids);
        Assert.DoesNotContain(StartId, ids);
        Assert.Equal("hello <| endoftext |> world ", plain.Decode(ids));
    }

    [Fact]
    public void EncodeToIds_GivesSameIds_WithAndWithoutWordCache()
    {
        var uncached = ClipTokenizer.CreateDefault(new ClipTokenizerOptions { WordCacheCapacity = 0 });
        const string Text = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox!";

        Assert.Equal(Tokenizer.EncodeToIds(Text), uncached.EncodeToIds(Text));
        Assert.Equal(Tokenizer.EncodeToIds(Text), uncached.EncodeToIds(Text));
    }

    [Fact]
    public void Decode_JoinsWordsWithSpaces_AndKeepsSpecialTokens()
    {
        string decoded = Tokenizer.Decode([StartId, 320, 2368, 269, EndId]);

        Assert.Equal("<|startoftext|>a cat . <|endoftext|>", decoded);
    }

    [Fact]
    public void Decode_ReplacesInvalidUtf8_WithReplacementCharacter()
    {
        // The byte symbol for 0xC3 alone (id of "Ã") is half of a two-byte UTF-8 sequence.
        int lone = Tokenizer.Vocabulary.Ids["\u00C3"];

        Assert.Equal("\uFFFD", Tokenizer.Decode([lone]));
    }

    [Fact]
    public void EncodeToIds_IsLinear_ForMegabyteText()
    {
        const int LargeRepeats = 100_000;
        const string Unit = "Zürich café ";
        string small = string.Concat(Enumerable.Repeat(Unit, LargeRepeats / 10));
        string large = string.Concat(Enumerable.Repeat(Unit, LargeRepeats));
        Tokenizer.EncodeToIds(small);

        var watch = Stopwatch.StartNew();
        int[] smallIds = Tokenizer.EncodeToIds(small);
        TimeSpan smallTime = watch.Elapsed;
        watch.Restart();
        int[] largeIds = Tokenizer.EncodeToIds(large);
        TimeSpan largeTime = watch.Elapsed;

        Assert.Equal(smallIds.Length * 10, largeIds.Length);

        // Ten times the text may take at most 60 times as long, plus slack for a busy machine.
        // A quadratic algorithm would take about 100 times as long.
        Assert.True(largeTime < smallTime * 60 + TimeSpan.FromSeconds(2), $"1.2 MB took {largeTime.TotalMilliseconds:F0} ms, 120 kB took {smallTime.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public void EncodeToIds_FinishesQuickly_ForMegabyteOfPlainAscii()
    {
        string text = new StringBuilder().Insert(0, "a photo of a cat. ", 60_000).ToString();

        var watch = Stopwatch.StartNew();
        int[] ids = Tokenizer.EncodeToIds(text);

        Assert.Equal(6 * 60_000, ids.Length);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"1 MB of ASCII took {watch.Elapsed.TotalSeconds:F1} s.");
    }

    [Fact]
    public void EncodeToIds_FinishesQuickly_ForMegabyteOfMojibakeAndEntities()
    {
        string text = new StringBuilder().Insert(0, "cafÃ© &amp; doesnâ€™t \u0085 ", 40_000).ToString();

        var watch = Stopwatch.StartNew();
        int[] ids = Tokenizer.EncodeToIds(text);

        Assert.NotEmpty(ids);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"1 MB of mojibake took {watch.Elapsed.TotalSeconds:F1} s.");
    }

    [Fact]
    public void Tokenizer_GivesSameRows_WhenSharedAcrossThreads()
    {
        var fresh = ClipTokenizer.CreateDefault();
        string[] texts = Enumerable.Range(0, 2_000)
            .Select(i => $"photo {i % 37} of a {(i % 3 == 0 ? "Zürich" : "cat")} number{i % 101} &amp; ÉCOLE {i}")
            .ToArray();
        long[][] sequential = texts.Select(t => Tokenizer.TokenizeToRow(t)).ToArray();

        var parallel = new long[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fresh.TokenizeToRow(texts[i]));

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }
}
