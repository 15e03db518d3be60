using Clip.Modeling;
using Clip.Text;
using Clip.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

/// <summary>
/// Training and inference while another thread collects garbage and runs finalizers without pause. TorchSharp
/// passes numbers to native code as temporary <c>Scalar</c> objects whose finalizer can free them during the call;
/// under this pressure the library's old code lost one within a few seconds ("Expected false to be true" from
/// <c>c10::Scalar</c> in the AdamW step). Every number in the library's per-step code now goes through
/// <c>ScalarArguments</c>, so these runs must finish cleanly.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class GarbageCollectionStressTests
{
    private const int Steps = 150;
    private const int Resolution = 32;

    public static TheoryData<string> Towers => new() { "vit", "resnet" };

    [Theory]
    [MemberData(nameof(Towers))]
    public void TrainAndEncode_UnderConstantGarbageCollection_Succeed(string tower)
    {
        var text = new TextConfig(contextLength: 16, ClipPresets.PublishedVocabSize, width: 32, heads: 1, layers: 1);
        VisionConfig vision = tower == "vit"
            ? VisionConfig.VisionTransformer(Resolution, patchSize: 16, width: 32, layers: 1, heads: 1)
            : VisionConfig.ModifiedResNet(Resolution, width: 8, stageLayers: [1, 1, 1, 1], heads: 2);
        manual_seed(3);
        using var model = ClipModel.Create(new ClipConfig(16, vision, text));
        ClipTokenizer tokenizer = ClipTokenizer.CreateDefault();
        var options = new TrainingOptions { BatchSize = 8, MaxSteps = Steps, DataWorkers = 1, CollectGarbageEverySteps = 0, LogEverySteps = int.MaxValue };
        string[] labels = ["red", "green"];

        using (new GarbageCollectionHammer())
        {
            TrainingResult result = model.Train(tokenizer, new TrainingDataset(Examples(32)), options);
            Assert.Equal(Steps, result.Steps);

            model.eval();
            for (int i = 0; i < 100; i++)
            {
                using var scope = NewDisposeScope();
                model.EncodeImage(randn(4, 3, Resolution, Resolution), normalize: true);
                model.EncodeText(tokenizer.Tokenize(["a small red square", "green"], new ClipTokenizeOptions { ContextLength = 16 }), normalize: true);
            }

            using Image image = Square(new Rgb24(255, 0, 0));
            Assert.Equal(2, model.ZeroShotClassify([image], labels)[0].TopLabels.Count);
        }
    }

    private static List<TrainingExample> Examples(int count) =>
        Enumerable.Range(0, count)
            .Select(i => TrainingExample.FromImage($"square-{i}", () => Square(new Rgb24((byte)(i * 8), (byte)(255 - (i * 8)), 0)), [$"square number {i}"]))
            .ToList();

    private static Image Square(Rgb24 color)
    {
        var image = new Image<Rgb24>(Resolution, Resolution);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                rows.GetRowSpan(y).Fill(color);
            }
        });
        return image;
    }
}
