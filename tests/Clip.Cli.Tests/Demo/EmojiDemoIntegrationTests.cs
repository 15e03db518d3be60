using Clip.Cli.Demo;
using Clip.Cli.Tests.Emoji;
using Clip.Modeling;
using Xunit;
using Xunit.Abstractions;

namespace Clip.Cli.Tests.Demo;

/// <summary>
/// Runs the whole emoji demo on a small subset of the real data (npm packages cached in the repository's
/// ignored <c>.cache/npm</c>) with a tiny model and a few dozen steps.
/// </summary>
[Collection(EmojiCacheCollection.Name)]
public sealed class EmojiDemoIntegrationTests
{
    /// <summary>Base emoji kept: with skin tones about 250 Google-style seen images.</summary>
    private const int BaseEmoji = 150;

    /// <summary>E1 top-1 must reach this multiple of chance (1 / number of seen labels).</summary>
    private const double MinimumTimesChance = 5;

    private readonly ITestOutputHelper _output;

    public EmojiDemoIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Demo_SmallSubset_LearnsSeenLabels()
    {
        using var temp = new TempDirectory();
        var options = new EmojiDemoOptions(temp.Combine("run"), temp.Combine("data"), RepositoryPaths.NpmCache)
        {
            Steps = 40,
            BatchSize = 32,
            LearningRate = 2e-3,
            Seed = 1,
            MaxBaseEmoji = BaseEmoji,
            ExampleCount = 6,
            TrainingTimeLimit = null,
            Model = new ClipConfig(
                embedDim: 64,
                VisionConfig.ModifiedResNet(imageResolution: 64, width: 16, stageLayers: [1, 1, 1, 1]),
                new TextConfig(contextLength: 32, ClipPresets.PublishedVocabSize, width: 64, heads: 1, layers: 2)),
        };

        EmojiDemoResult result = await new EmojiDemo(options).RunAsync();

        (double firstLoss, double lastLoss) = result.LossFirstAndLastTenth;
        ZeroShotScore e1 = result.Scores.Single(score => score.Name == "E1");
        _output.WriteLine($"loss {firstLoss:F3} -> {lastLoss:F3}; E1 top-1 {e1.Top1:P1} (chance {e1.ChanceTop1:P2}), top-5 {e1.Top5:P1}");
        Assert.True(lastLoss < firstLoss - 0.3, $"Loss went from {firstLoss:F3} to {lastLoss:F3}.");
        Assert.True(e1.Top1 >= MinimumTimesChance * e1.ChanceTop1, $"E1 top-1 {e1.Top1:P1} is below {MinimumTimesChance} × chance {e1.ChanceTop1:P2}.");
        Assert.Equal(5, result.Scores.Count);
        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, DemoReport.ReportFileName)));
        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, DemoReport.CurvesFileName)));
        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, DemoReport.ExamplesFileName)));

        using var reloaded = ClipModel.FromPretrained(result.ModelDirectory);
        Assert.Equal(options.Model, reloaded.Config);
    }
}
