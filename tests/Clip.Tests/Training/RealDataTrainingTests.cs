using System.Text.Json;
using Clip.Data;
using Clip.Modeling;
using Clip.Text;
using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

public sealed class RealDataTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clip-real-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The fixture photos and drawings, each with a caption that describes it.
    private static readonly (string File, string Caption, string Label)[] CaptionedImages =
    [
        ("chelsea.png", "a photo of a tabby cat", "cat"),
        ("rocket.jpg", "a rocket on the launch pad", "rocket"),
        ("coffee_portrait.png", "a cup of coffee on a saucer", "coffee"),
        ("text.png", "black printed text on white", "text"),
        ("horse.png", "the silhouette of a horse", "horse"),
        ("fashion_mnist_train_0.png", "a small grey ankle boot", "boot"),
        ("emoji_1f600.png", "a grinning yellow face emoji", "face"),
        ("emoji_1f311.png", "a dark new moon emoji", "moon"),
    ];

    [Fact]
    public void Train_TinyVitOnCaptionedPhotos_ImprovesLossAndRetrieval()
    {
        string dataFile = Path.Combine(_folder, "captions.jsonl");
        File.WriteAllLines(dataFile, CaptionedImages.Select(item => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["filepath"] = Path.Combine(TestPaths.GoldenPreprocess, item.File),
            ["title"] = item.Caption,
            ["label"] = item.Label,
        })));
        TrainingDataset data = TrainingDataset.FromCaptionedImages(CaptionedDataset.Open(dataFile, new CaptionedDatasetOptions { LabelColumn = "label" }));
        TorchSharp.torch.manual_seed(31);
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        var options = new TrainingOptions
        {
            BatchSize = data.Examples.Count,
            Epochs = 40,
            LearningRate = 2e-3,
            WarmupSteps = 4,
            WeightDecay = 0.1,
            RecallAtK = [1],
            Seed = 3,
        };

        TrainingResult result = model.Train(ClipTokenizer.CreateDefault(), data, options, validation: data);

        double firstLosses = result.History.Take(5).Average(s => s.Loss);
        double lastLosses = result.History.TakeLast(5).Average(s => s.Loss);
        Assert.True(lastLosses < firstLosses * 0.5, $"mean loss of the first 5 steps {firstLosses:F3}, of the last 5 {lastLosses:F3}");
        Assert.True(
            result.Validations[^1].ImageToTextRecall[1] > result.Validations[0].ImageToTextRecall[1],
            $"image->text R@1 after the first epoch {result.Validations[0].ImageToTextRecall[1]:P0}, after the last {result.Validations[^1].ImageToTextRecall[1]:P0}");
        Assert.NotNull(result.Validations[^1].ZeroShotAccuracy);
    }
}
