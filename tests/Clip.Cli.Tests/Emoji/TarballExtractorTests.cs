using Clip.Cli.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class TarballExtractorTests
{
    [Fact]
    public void Extract_Filter_WritesSelectedFilesOnly()
    {
        using var temp = new TempDirectory();
        string tarball = temp.Combine("package.tgz");
        TarballFactory.Write(tarball, [
            ("package/emoji.json", TarballFactory.Text("[]")),
            ("package/img/google/64/1f600.png", [1, 2, 3]),
            ("package/README.md", TarballFactory.Text("readme")),
        ]);

        int written = TarballExtractor.Extract(tarball, temp.Combine("out"), path => path != "README.md");

        Assert.Equal(2, written);
        Assert.Equal("[]", File.ReadAllText(temp.Combine("out", "emoji.json")));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(temp.Combine("out", "img", "google", "64", "1f600.png")));
        Assert.False(File.Exists(temp.Combine("out", "README.md")));
    }

    [Theory]
    [InlineData("package/../../escaped.txt")]
    [InlineData("package/img/../../../escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    public void Extract_PathOutsideDestination_Throws(string entryName)
    {
        using var temp = new TempDirectory();
        string tarball = temp.Combine("evil.tgz");
        TarballFactory.Write(tarball, [(entryName, TarballFactory.Text("x"))]);

        var exception = Assert.Throws<InvalidDataException>(() => TarballExtractor.Extract(tarball, temp.Combine("out", "inner")));

        Assert.Contains(entryName, exception.Message);
        Assert.False(File.Exists(temp.Combine("escaped.txt")));
        Assert.False(File.Exists(temp.Combine("out", "escaped.txt")));
    }

    [Fact]
    public void Extract_SymbolicLink_Skipped()
    {
        using var temp = new TempDirectory();
        string tarball = temp.Combine("links.tgz");
        TarballFactory.Write(tarball, [("package/a.txt", TarballFactory.Text("a"))], [("package/link", "/etc/passwd")]);

        int written = TarballExtractor.Extract(tarball, temp.Combine("out"));

        Assert.Equal(1, written);
        Assert.False(File.Exists(temp.Combine("out", "link")));
    }
}
