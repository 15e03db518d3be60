using Clip.Cli.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class EmojiSplitterTests
{
    [Fact]
    public void Assign_IgnoresCaseAndSelector()
    {
        EmojiSplit expected = EmojiSplitter.Assign("2764-200D-1F525", 0.8);

        Assert.Equal(expected, EmojiSplitter.Assign("2764-fe0f-200d-1f525", 0.8));
    }

    [Fact]
    public void Assign_Synthetic_NearSeenFraction()
    {
        const int Count = 4000;
        int seen = Enumerable.Range(0x10000, Count)
            .Count(codePoint => EmojiSplitter.Assign(codePoint.ToString("X"), 0.8) == EmojiSplit.Seen);

        Assert.InRange(seen / (double)Count, 0.77, 0.83);
    }

    [Fact]
    public void Assign_KnownEmoji_StableAcrossRuns()
    {
        // Pinned values: a change here changes every published seen/unseen result.
        Assert.Equal(EmojiSplit.Seen, EmojiSplitter.Assign("1F600", 0.8));
        Assert.Equal(EmojiSplit.Seen, EmojiSplitter.Assign("1F44B", 0.8));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Assign_FractionOutOfRange_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EmojiSplitter.Assign("1F600", fraction));
    }

    [Fact]
    public void SubsetKey_IndependentOfSplit()
    {
        // The subset key reads other hash bytes than the split, so a subset of the lowest keys keeps both splits.
        var lowest = Enumerable.Range(0x10000, 2000)
            .Select(codePoint => codePoint.ToString("X"))
            .OrderBy(EmojiSplitter.SubsetKey)
            .Take(200)
            .ToList();
        int seen = lowest.Count(hexcode => EmojiSplitter.Assign(hexcode, 0.8) == EmojiSplit.Seen);

        Assert.InRange(seen, 140, 180);
    }
}
