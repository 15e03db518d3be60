using Clip.Text;
using Xunit;

namespace Clip.Tests.Text;

public sealed class ClipTextCleanerTests
{
    [Theory]
    [InlineData("it\u2019s \u201Cquoted\u201D", "it's \"quoted\"")]
    [InlineData("fish &amp; chips", "fish & chips")]
    [InlineData("&amp without semicolon", "& without semicolon")]
    [InlineData("&ampx &notin &notit;", "&x \u00ACin \u00ACit;")]
    [InlineData("&#x1F600; &#128512; &#0; &#x110000;", "\U0001F600 \U0001F600 \uFFFD \uFFFD")]
    [InlineData("&#150;&#x81;&#1;", "\u2013\u0081")]
    [InlineData("P&EACUTE;REZ", "p\u00E9rez")]
    [InlineData("<b>&amp;amp;</b>", "<b>&</b>")]
    [InlineData("caf\u00C3\u00A9", "caf\u00E9")]
    [InlineData("The Mona Lisa doesn\u00C3\u00A2\u00E2\u201A\u00AC\u00E2\u201E\u00A2t", "the mona lisa doesn't")]
    [InlineData("\u00D0\u00BF\u00D1\u20AC\u00D0\u00B8\u00D0\u00B2\u00D0\u00B5\u00D1\u201A", "\u043F\u0440\u0438\u0432\u0435\u0442")]
    [InlineData("\uFF26\uFF35\uFF2C\uFF2C\u3000\uFF54\uFF45\uFF58\uFF54", "full text")]
    [InlineData("\uFF76\uFF80\uFF76\uFF85", "\u30AB\u30BF\u30AB\u30CA")]
    [InlineData("\uFB01sh \uFB02ower \u01C5emal", "fish flower d\u017Eemal")]
    [InlineData("cafe\u0301", "caf\u00E9")]
    [InlineData("x\u0000y\u000Bz\u007F", "xyz")]
    [InlineData("\u001B[31mred\u001B[0m text", "red text")]
    [InlineData("\uFEFFbyte order mark", "byte order mark")]
    [InlineData("next\u0085line", "next\u2026line")]
    [InlineData("line\u2028separator\u2029here", "line separator here")]
    [InlineData("  tabs\tand\r\nnewlines \u00A0 ", "tabs and newlines")]
    [InlineData("zero\u200Bwidth soft\u00ADhyphen", "zero\u200Bwidth soft\u00ADhyphen")]
    [InlineData("\u0130stanbul", "i\u0307stanbul")]
    [InlineData("\u039F\u0394\u03A5\u03A3\u03A3\u0395\u03A5\u03A3 \u03A3", "\u03BF\u03B4\u03C5\u03C3\u03C3\u03B5\u03C5\u03C2 \u03C3")]
    [InlineData("\u1E9E GROSS", "\u00DF gross")]
    public void Clean_MatchesPythonReference(string input, string expected)
    {
        Assert.Equal(expected, ClipTextCleaner.Clean(input));
    }

    [Fact]
    public void Clean_Throws_WhenTextIsNull()
    {
        Assert.Throws<ArgumentNullException>(() => ClipTextCleaner.Clean(null!));
    }

    [Fact]
    public void FixText_KeepsEntities_AfterLineWithTag()
    {
        string fixedText = ClipTextCleaner.FixText("&amp;\n<b>\n&amp;");

        Assert.Equal("&\n<b>\n&amp;", fixedText);
    }

    [Fact]
    public void FixText_LeavesLatin1TextAlone_WhenItIsNotMojibake()
    {
        Assert.Equal("na\u00EFve r\u00E9sum\u00E9 \u00C5ngstr\u00F6m", ClipTextCleaner.FixText("na\u00EFve r\u00E9sum\u00E9 \u00C5ngstr\u00F6m"));
    }

    [Fact]
    public void FixText_ReplacesLoneSurrogates()
    {
        Assert.Equal("a\uFFFDb", ClipTextCleaner.FixText("a\uD800b"));
    }
}
