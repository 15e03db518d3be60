using System.Text.RegularExpressions;
using Clip.Text;
using Xunit;

namespace Clip.Tests.Text;

public sealed class MojibakeHeuristicTests
{
    private const int RandomTextCount = 20_000;
    private const int MaxRandomLength = 8;
    private const int Seed = 7;

    [Fact]
    public void IsBad_AgreesWithPlainPatternSearch_OnRandomTexts()
    {
        var plain = new Regex(MojibakeHeuristic.Pattern, RegexOptions.CultureInvariant);
        char[] alphabet = MojibakeHeuristic.Pattern.Where(c => c >= 0x80).Concat("aZx1 .?\n\u00A0").Distinct().ToArray();
        var random = new Random(Seed);

        for (int n = 0; n < RandomTextCount; n++)
        {
            var text = new string(Enumerable.Range(0, random.Next(1, MaxRandomLength)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

            Assert.True(plain.IsMatch(text) == MojibakeHeuristic.IsBad(text), $"Disagreement on U+{string.Join(" U+", text.Select(c => ((int)c).ToString("X4")))}.");
        }
    }

    [Fact]
    public void IsBad_AnchorsStartRule_AtStringStartOnly()
    {
        Assert.True(MojibakeHeuristic.IsBad("\u00C3 "));
        Assert.False(MojibakeHeuristic.IsBad("1\u00C3 "));
    }

    [Fact]
    public void IsBad_AgreesWithShortText_ForLongText()
    {
        string clean = string.Concat(Enumerable.Repeat("Z\u00FCrich caf\u00E9 ", 3_000));
        string broken = clean + "caf\u00C3\u00A9";

        Assert.False(MojibakeHeuristic.IsBad(clean));
        Assert.True(MojibakeHeuristic.IsBad(broken));
    }
}
