using Clip.Cli.Emoji;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

/// <summary>
/// Builds the dataset from the real npm packages (downloaded once into the repository's ignored
/// <c>.cache/npm</c> folder, so this needs npm and the registry on the first run).
/// </summary>
[Collection(EmojiCacheCollection.Name)]
public sealed class RealEmojiDataTests
{
    /// <summary>Images per style in emoji-datasource 16.0.0 (its 64-pixel folder).</summary>
    private const int ImagesPerStyle = 3786;

    [Fact]
    public async Task Build_RealPackages_LabelsEveryImage()
    {
        using var temp = new TempDirectory();
        var options = new EmojiDatasetOptions(temp.Combine("dataset"), RepositoryPaths.NpmCache);

        EmojiDatasetResult result = await new EmojiDatasetBuilder(options).BuildAsync();

        Assert.Equal(0, result.UnlabelledImages);
        Assert.Equal(ImagesPerStyle, result.Records.Count(record => record.Style == EmojiStyle.Google));
        Assert.Equal(ImagesPerStyle, result.Records.Count(record => record.Style == EmojiStyle.Twitter));

        var baseSplits = result.Records.GroupBy(record => record.BaseHexcode).ToList();
        Assert.All(baseSplits, group => Assert.Single(group.Select(record => record.Split).Distinct()));
        double seenShare = baseSplits.Count(group => group.First().Split == EmojiSplit.Seen) / (double)baseSplits.Count;
        Assert.InRange(seenShare, 0.77, 0.83);

        string[] groups = result.Records.Select(record => record.Group).Where(group => group != "components").Distinct().Order().ToArray();
        Assert.Equal(
            ["activities", "animals & nature", "flags", "food & drink", "objects", "people & body", "smileys & emotion", "symbols", "travel & places"],
            groups);
    }
}
