using Clip.Cli.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class NpmClientTests
{
    [Fact]
    public async Task Pack_MissingExecutable_SaysWhatToInstall()
    {
        using var temp = new TempDirectory();
        var npm = new NpmClient(temp.Combine("no-such-npm"));

        var exception = await Assert.ThrowsAsync<NpmNotFoundException>(() => npm.PackAsync(EmojiPackages.Emojibase, temp.Path));

        Assert.Contains("Install Node.js", exception.Message);
        Assert.Contains("no-such-npm", exception.Message);
    }

    [Fact]
    public void ParsePackOutput_ReadsFileAndIntegrity()
    {
        const string Output = """[{"id": "emojibase-data@17.0.0", "filename": "emojibase-data-17.0.0.tgz", "integrity": "sha512-abc=="}]""";

        NpmPackResult result = NpmClient.ParsePackOutput(EmojiPackages.Emojibase, "/cache", Output);

        Assert.Equal(Path.Combine("/cache", "emojibase-data-17.0.0.tgz"), result.TarballPath);
        Assert.Equal("sha512-abc==", result.Integrity);
    }

    [Fact]
    public void ParsePackOutput_FileNameWithFolders_KeepsLastSegment()
    {
        const string Output = """[{"filename": "../../elsewhere/x.tgz", "integrity": "sha512-abc=="}]""";

        NpmPackResult result = NpmClient.ParsePackOutput(EmojiPackages.Emojibase, "/cache", Output);

        Assert.Equal(Path.Combine("/cache", "x.tgz"), result.TarballPath);
    }

    [Fact]
    public void DescribeFailure_JsonError_ReturnsSummary()
    {
        const string Output = """{"error": {"code": "ETARGET", "summary": "No matching version found for emojibase-data@99.0.0."}}""";

        Assert.Equal("No matching version found for emojibase-data@99.0.0.", NpmClient.DescribeFailure(Output, "npm error code ETARGET"));
    }

    [Fact]
    public void DescribeFailure_PlainError_SkipsLogNotice()
    {
        const string Error = "npm error code E404\nnpm error 404 Not Found - emojibase-data\nnpm error A complete log of this run can be found in: /x.log\n";

        Assert.Equal("npm error 404 Not Found - emojibase-data", NpmClient.DescribeFailure(string.Empty, Error));
    }
}
