using Clip.Imaging;
using Clip.Tests.TestModels;
using Clip.Text;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.ThreadSafety;

/// <summary>
/// The tokenizer and the image preprocessor are documented as shareable: parallel callers on one
/// instance must get the results that sequential calls produce.
/// </summary>
public sealed class ConcurrentPreparationTests
{
    /// <summary>Texts with many distinct words, so that parallel calls insert into the word cache at once.</summary>
    private static readonly string[] Texts =
    [
        "a photo of a cat sitting on a red sofa.",
        "Two dogs running along the beach at sunset!",
        "an illustration of the Eiffel tower, in watercolour",
        "naïve café owners don't serve crème brûlée &amp; espresso",
        "the number 12345 written on a chalkboard",
        "a diagram of a neural network with three layers",
        "黒い猫 and a white rabbit 🐇 in the snow",
        "tHe QuIcK bRoWn FoX jUmPs OvEr ThE lAzY dOg",
    ];

    [Fact]
    public void Tokenizer_ParallelCallers_MatchSequentialResults()
    {
        // A new instance starts with an empty word cache, which the parallel phase then fills concurrently.
        var sequentialTokenizer = ClipTokenizer.CreateDefault();
        int[][] sequential = Texts.Select(sequentialTokenizer.EncodeToIds).ToArray();
        var sharedTokenizer = ClipTokenizer.CreateDefault();

        var parallel = new int[Texts.Length * 4][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            job => parallel[job] = sharedTokenizer.EncodeToIds(Texts[job % Texts.Length]));

        for (int job = 0; job < parallel.Length; job++)
        {
            Assert.Equal(sequential[job % Texts.Length], parallel[job]);
        }
    }

    [Fact]
    public void Preprocessor_ParallelCallers_MatchSequentialResults()
    {
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(resolution: 32));
        byte[][] images = Enumerable.Range(0, 6)
            .Select(i => ColorClipModel.CreateImage(new Rgb24((byte)(40 * i), (byte)(200 - 30 * i), 90), offset: i))
            .ToArray();
        Func<byte[], float[]> preprocess = bytes =>
        {
            using var scope = NewDisposeScope();
            return preprocessor.Preprocess(bytes).data<float>().ToArray();
        };

        ConcurrentModelInferenceTests.AssertParallelMatchesSequential(images, preprocess);
    }
}
