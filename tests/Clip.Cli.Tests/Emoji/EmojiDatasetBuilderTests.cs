using Clip.Cli.Emoji;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class EmojiDatasetBuilderTests
{
    /// <summary>npm must not run: every package is in the cache with a matching digest.</summary>
    private static readonly NpmClient NoNpm = new("clip-tests-no-such-npm");

    private static async Task<(TempDirectory Temp, EmojiDatasetResult Result)> BuildFakeAsync()
    {
        var temp = new TempDirectory();
        FakeEmojiPackages.WriteAll(temp.Combine("cache"));
        var builder = new EmojiDatasetBuilder(new EmojiDatasetOptions(temp.Combine("dataset"), temp.Combine("cache")), NoNpm);
        return (temp, await builder.BuildAsync());
    }

    [Fact]
    public async Task Build_JoinsLabelledDrawnImages()
    {
        (TempDirectory temp, EmojiDatasetResult result) = await BuildFakeAsync();
        using (temp)
        {
            // Per style: 1F600, 1F44B, its light skin tone, and 2764 (FE0F ignored); 1F9FF has no text; 1F601 is not drawn.
            Assert.Equal(8, result.Records.Count);
            Assert.Equal(2, result.UnlabelledImages);
            Assert.Equal(4, result.Records.Count(record => record.Style == EmojiStyle.Twitter));
            Assert.Contains(result.Records, record => record.Label == "red heart" && record.Hexcode == "2764");
        }
    }

    [Fact]
    public async Task Build_SkinVariantInheritsBaseText()
    {
        (TempDirectory temp, EmojiDatasetResult result) = await BuildFakeAsync();
        using (temp)
        {
            EmojiRecord skin = result.Records.Single(record => record.Hexcode == "1F44B-1F3FB" && record.Style == EmojiStyle.Google);
            EmojiRecord baseEmoji = result.Records.Single(record => record.Hexcode == "1F44B" && record.Style == EmojiStyle.Google);

            Assert.Equal("waving hand: light skin tone", skin.Label);
            Assert.Equal(["hand", "wave"], skin.Tags);
            Assert.Equal("1F44B", skin.BaseHexcode);
            Assert.Equal(baseEmoji.Split, skin.Split);
            Assert.Equal("people & body", skin.Group);
            Assert.Equal("hand fingers open", skin.Subgroup);
        }
    }

    [Fact]
    public async Task Build_ImagesCompositedOverWhite()
    {
        (TempDirectory temp, EmojiDatasetResult result) = await BuildFakeAsync();
        using (temp)
        {
            EmojiRecord record = result.Records[0];
            using Image<Rgb24> image = Image.Load<Rgb24>(Path.Combine(result.Directory, record.Image));

            Assert.Equal("images/google/1f600.png", record.Image);
            Assert.Equal(new Rgb24(0, 0, 255), image[0, 0]);
            Assert.Equal(new Rgb24(255, 255, 255), image[3, 3]);
        }
    }

    [Fact]
    public async Task Build_JsonLinesRoundTrip()
    {
        (TempDirectory temp, EmojiDatasetResult result) = await BuildFakeAsync();
        using (temp)
        {
            IReadOnlyList<EmojiRecord> read = EmojiDatasetReader.ReadJsonLines(result.JsonLinesPath);

            Assert.Equal(result.Records.Count, read.Count);
            for (int i = 0; i < read.Count; i++)
            {
                Assert.Equal(result.Records[i] with { Tags = [] }, read[i] with { Tags = [] });
                Assert.Equal(result.Records[i].Tags, read[i].Tags);
            }
        }
    }

    [Fact]
    public async Task Build_CsvHasHeaderAndQuotedFields()
    {
        (TempDirectory temp, EmojiDatasetResult result) = await BuildFakeAsync();
        using (temp)
        {
            string[] lines = File.ReadAllLines(result.CsvPath);

            Assert.Equal("image,label,tags,group,subgroup,style,split,hexcode,base_hexcode,emoji", lines[0]);
            Assert.Equal(result.Records.Count + 1, lines.Length);
            Assert.StartsWith("images/google/1f600.png,grinning face,face|grin,smileys & emotion,face smiling,google,", lines[1]);
        }
    }

    [Fact]
    public async Task Build_SecondRun_ReusesImages()
    {
        (TempDirectory temp, EmojiDatasetResult first) = await BuildFakeAsync();
        using (temp)
        {
            var builder = new EmojiDatasetBuilder(new EmojiDatasetOptions(temp.Combine("dataset"), temp.Combine("cache")), NoNpm);

            EmojiDatasetResult second = await builder.BuildAsync();

            Assert.Equal(8, first.ImagesWritten);
            Assert.Equal(0, second.ImagesWritten);
            Assert.Equal(first.Records, second.Records, (a, b) => a.Image == b.Image && a.Split == b.Split);
        }
    }

    [Fact]
    public async Task Build_MaxBaseEmoji_KeepsVariantsWithBase()
    {
        using var temp = new TempDirectory();
        FakeEmojiPackages.WriteAll(temp.Combine("cache"));
        var options = new EmojiDatasetOptions(temp.Combine("dataset"), temp.Combine("cache"), maxBaseEmoji: 2, styles: [EmojiStyle.Google]);

        EmojiDatasetResult result = await new EmojiDatasetBuilder(options, NoNpm).BuildAsync();

        Assert.Equal(2, result.Records.Select(record => record.BaseHexcode).Distinct().Count());
        Assert.All(result.Records, record => Assert.Equal(EmojiStyle.Google, record.Style));
        bool hasWave = result.Records.Any(record => record.BaseHexcode == "1F44B");
        Assert.Equal(hasWave ? 2 : 0, result.Records.Count(record => record.BaseHexcode == "1F44B"));
    }

    [Fact]
    public async Task Build_CorruptTarballWithoutNpm_ReportsNpmMissing()
    {
        using var temp = new TempDirectory();
        FakeEmojiPackages.WriteAll(temp.Combine("cache"));
        File.AppendAllText(temp.Combine("cache", EmojiPackages.Google.TarballFileName), "tampered");
        var builder = new EmojiDatasetBuilder(new EmojiDatasetOptions(temp.Combine("dataset"), temp.Combine("cache")), NoNpm);

        var exception = await Assert.ThrowsAsync<NpmNotFoundException>(() => builder.BuildAsync());

        Assert.Contains("Install Node.js", exception.Message);
    }
}
