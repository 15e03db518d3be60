using Clip.Modeling;
using Clip.Text;
using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

public sealed class RealDataTrainingTests
{
    // The fixture photos and drawings, each with a caption that describes it.
    private static readonly (string File, string Caption)[] CaptionedImages =
    [
        ("chelsea.png", "a photo of a tabby cat"),
        ("rocket.jpg", "a rocket on the launch pad"),
        ("coffee_portrait.png", "a cup of coffee on a saucer"),
        ("text.png", "black printed text on white"),
        ("horse.png", "the silhouette of a horse"),
        ("fashion_mnist_train_0.png", "a small grey ankle boot"),
        ("emoji_1f600.png", "a grinning yellow face emoji"),
        ("emoji_1f311.png", "a dark new moon emoji"),
    ];

    [Fact]
    public void Train_TinyVitOnCaptionedPhotos_ImprovesLossAndRetrieval()
    {
        TrainingExample[] examples = CaptionedImages
            .Select(pair => TrainingExample.FromFile(Path.Combine(TestPaths.GoldenPreprocess, pair.File), [pair.Caption]))
            .ToArray();
        TorchSharp.torch.manual_seed(31);
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        var options = new TrainingOptions
        {
            BatchSize = examples.Length,
            Epochs = 40,
            LearningRate = 2e-3,
            WarmupSteps = 4,
            WeightDecay = 0.1,
            RecallAtK = [1],
            Seed = 3,
        };

        TrainingResult result = model.Train(ClipTokenizer.CreateDefault(), new TrainingDataset(examples), options, validation: new TrainingDataset(examples));

        double firstLosses = result.History.Take(5).Average(s => s.Loss);
        double lastLosses = result.History.TakeLast(5).Average(s => s.Loss);
        Assert.True(lastLosses < firstLosses * 0.5, $"mean loss of the first 5 steps {firstLosses:F3}, of the last 5 {lastLosses:F3}");
        Assert.True(
            result.Validations[^1].ImageToTextRecall[1] > result.Validations[0].ImageToTextRecall[1],
            $"image->text R@1 after the first epoch {result.Validations[0].ImageToTextRecall[1]:P0}, after the last {result.Validations[^1].ImageToTextRecall[1]:P0}");
    }
}
