using Clip.Imaging;
using Clip.Imaging.Augmentation;
using Xunit;

namespace Clip.Tests.Imaging;

/// <summary>Training augmentation: reproducible from a seed, inside the requested ranges.</summary>
public sealed class ImageAugmentationTests
{
    private const int Resolution = 24;

    private static readonly ImagePreprocessor Preprocessor = new(new ImagePreprocessorOptions { Resolution = Resolution });

    [Fact]
    public void PreprocessAugmentedBatch_IsReproducible_ForSameSeed()
    {
        ImageSource[] sources = ImagePreprocessorBatchTests.Sources(4);
        var options = new ImageAugmentationOptions { Brightness = 0.4, Contrast = 0.4, Saturation = 0.4, Hue = 0.1, GrayscaleProbability = 0.2 };

        using var first = Preprocessor.PreprocessAugmentedBatch(sources, options, seed: 7);
        using var second = new ImagePreprocessor(Preprocessor.Options with { MaxDegreeOfParallelism = 1 }).PreprocessAugmentedBatch(sources, options, seed: 7);

        Assert.True(TestImages.SameValues(first, second));
    }

    [Fact]
    public void PreprocessAugmentedBatch_Differs_ForOtherSeed()
    {
        ImageSource[] sources = ImagePreprocessorBatchTests.Sources(4);
        var options = new ImageAugmentationOptions();

        using var first = Preprocessor.PreprocessAugmentedBatch(sources, options, seed: 7);
        using var second = Preprocessor.PreprocessAugmentedBatch(sources, options, seed: 8);

        Assert.False(TestImages.SameValues(first, second));
    }

    [Fact]
    public void PreprocessAugmented_MirrorsImage_WhenFlipIsCertain()
    {
        ImageSource source = ImagePreprocessorBatchTests.Sources(1)[0];

        using var plain = Preprocessor.PreprocessAugmented(source, new ImageAugmentationOptions { HorizontalFlipProbability = 0 }, seed: 3);
        using var flipped = Preprocessor.PreprocessAugmented(source, new ImageAugmentationOptions { HorizontalFlipProbability = 1 }, seed: 3);

        using var mirrored = plain.flip(2);
        Assert.True(TestImages.SameValues(flipped, mirrored));
    }

    [Fact]
    public void Plan_StaysInsideImageAndRanges()
    {
        const int Width = 300;
        const int Height = 200;
        var options = new ImageAugmentationOptions { MinScale = 0.2, MaxScale = 0.6, MinAspectRatio = 0.5, MaxAspectRatio = 2.0 };
        for (int seed = 0; seed < 200; seed++)
        {
            var augmentation = new ImageAugmentation(options, new Random(seed));

            ResizePlan plan = augmentation.Plan(Width, Height, Resolution);

            var region = plan.SourceRegion;
            Assert.InRange(region.Left, 0, Width - 1);
            Assert.InRange(region.Top, 0, Height - 1);
            Assert.InRange(region.Right, 1, Width);
            Assert.InRange(region.Bottom, 1, Height);

            // Rounding the sides to whole pixels moves the area and ratio slightly off their ranges.
            double area = (double)region.Width * region.Height / (Width * Height);
            Assert.InRange(area, 0.19, 0.61);
            Assert.InRange((double)region.Width / region.Height, 0.45, 2.1);
            Assert.Equal((Resolution, Resolution), (plan.ResizedWidth, plan.ResizedHeight));
        }
    }

    [Fact]
    public void Plan_FallsBackToCentre_WhenNoCropFits()
    {
        // A 1000x10 strip cannot hold a crop with aspect ratio at most 4/3 and a tenth of its area.
        var augmentation = new ImageAugmentation(new ImageAugmentationOptions(), new Random(1));

        ResizePlan plan = augmentation.Plan(1000, 10, Resolution);

        Assert.Equal(new SixLabors.ImageSharp.Rectangle(493, 0, 13, 10), plan.SourceRegion);
    }

    [Fact]
    public void PreprocessAugmented_EqualisesChannels_WhenGrayscaleIsCertain()
    {
        ImageSource source = ImagePreprocessorBatchTests.Sources(1)[0];
        var options = new ImageAugmentationOptions { GrayscaleProbability = 1, Saturation = 0.5 };
        var unnormalised = new ImagePreprocessor(Preprocessor.Options with { Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] });

        using var pixels = unnormalised.PreprocessAugmented(source, options, seed: 5);

        Assert.True(TestImages.SameValues(pixels[0], pixels[1]), "Red and green differ.");
        Assert.True(TestImages.SameValues(pixels[1], pixels[2]), "Green and blue differ.");
    }

    [Fact]
    public void PreprocessAugmentedBatch_RejectsInvertedRange_BeforeDecoding()
    {
        var options = new ImageAugmentationOptions { MinAspectRatio = 2, MaxAspectRatio = 1 };

        Assert.Throws<ArgumentException>(() => Preprocessor.PreprocessAugmentedBatch(ImagePreprocessorBatchTests.Sources(2), options, seed: 0));
    }

    [Fact]
    public void Options_RejectInvertedRange()
    {
        var options = new ImageAugmentationOptions { MinScale = 0.9, MaxScale = 0.5 };

        Assert.Throws<ArgumentException>(() => Preprocessor.PreprocessAugmented(ImagePreprocessorBatchTests.Sources(1)[0], options, seed: 0));
    }
}
