using Clip.Cli.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class EmojiHexcodeTests
{
    [Theory]
    [InlineData("0023-fe0f-20e3", "0023-20E3")]
    [InlineData("0023-20E3", "0023-20E3")]
    [InlineData("1f44b-1F3FB", "1F44B-1F3FB")]
    [InlineData("23-20e3", "0023-20E3")]
    [InlineData("2764-FE0F-200D-1F525", "2764-200D-1F525")]
    public void Normalize_MatchesAcrossSpellings(string hexcode, string expected)
    {
        Assert.Equal(expected, EmojiHexcode.Normalize(hexcode));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1F44B--1F3FB")]
    [InlineData("1F44G")]
    [InlineData("FE0F")]
    public void Normalize_InvalidSequence_Throws(string hexcode)
    {
        Assert.Throws<ArgumentException>(() => EmojiHexcode.Normalize(hexcode));
    }
}
