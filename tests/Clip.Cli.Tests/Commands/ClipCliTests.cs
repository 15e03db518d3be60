using System.Text.Json;
using Clip.Cli.Emoji;
using Clip.Cli.Tests.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Commands;

public sealed class ClipCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("train", "--help")]
    [InlineData("zero-shot", "--help")]
    [InlineData("eval", "--help")]
    [InlineData("embed", "--help")]
    [InlineData("info", "--help")]
    [InlineData("data", "--help")]
    [InlineData("data", "emoji", "--help")]
    public async Task Help_EveryCommand_ExitsZero(params string[] args)
    {
        (int exitCode, string output, string error) = await CliRunner.RunAsync(args);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
        Assert.Contains("--json", output);
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public async Task Parse_UnknownOption_UsageError()
    {
        (int exitCode, _, string error) = await CliRunner.RunAsync("data", "emoji", "--no-such-option");

        Assert.Equal(CliException.UsageExitCode, exitCode);
        Assert.StartsWith("clip: error: ", error);
        Assert.Contains("Run 'clip data emoji --help' for usage.", error);
    }

    [Fact]
    public async Task Parse_InvalidSeenFraction_NamesOption()
    {
        (int exitCode, _, string error) = await CliRunner.RunAsync("data", "emoji", "--seen-fraction", "1.5");

        Assert.Equal(CliException.UsageExitCode, exitCode);
        Assert.Contains("--seen-fraction 1.5 is invalid", error);
    }

    [Fact]
    public async Task Run_Failure_OneLineWithoutStackTrace()
    {
        using var temp = new TempDirectory();

        (int exitCode, _, string error) = await CliRunner.RunAsync(
            "data", "emoji", "--cache", temp.Combine("cache"), "--output", temp.Combine("out"), "--npm", temp.Combine("no-such-npm"), "--json");

        Assert.Equal(ClipCli.FailureExitCode, exitCode);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("clip: error: npm was not found", error);
    }

    [Fact]
    public async Task Run_FailureVerbose_PrintsStackTrace()
    {
        using var temp = new TempDirectory();

        (_, _, string error) = await CliRunner.RunAsync(
            "data", "emoji", "--cache", temp.Combine("cache"), "--output", temp.Combine("out"), "--npm", temp.Combine("no-such-npm"), "--json", "--verbose");

        Assert.Contains("   at ", error);
    }

    [Fact]
    public async Task DataEmoji_Json_SummarizesParts()
    {
        using var temp = new TempDirectory();
        FakeEmojiPackages.WriteAll(temp.Combine("cache"));

        (int exitCode, string output, string error) = await CliRunner.RunAsync(
            "data", "emoji", "--cache", temp.Combine("cache"), "--output", temp.Combine("out"), "--npm", temp.Combine("no-such-npm"), "--json");

        Assert.True(exitCode == 0, error);
        using JsonDocument summary = JsonDocument.Parse(output);
        Assert.Equal(8, summary.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(3, summary.RootElement.GetProperty("packages").GetArrayLength());
        Assert.True(File.Exists(temp.Combine("out", EmojiDatasetBuilder.CsvFileName)));
    }

    [Fact]
    public async Task DataEmoji_Table_ListsStylesAndSplits()
    {
        using var temp = new TempDirectory();
        FakeEmojiPackages.WriteAll(temp.Combine("cache"));

        (int exitCode, string output, string error) = await CliRunner.RunAsync(
            "data", "emoji", "--cache", temp.Combine("cache"), "--output", temp.Combine("out"), "--style", "Twitter");

        Assert.True(exitCode == 0, error);
        Assert.Contains("twitter", output);
        Assert.DoesNotContain("google", output.Replace("emoji-datasource-google", string.Empty));
    }
}
