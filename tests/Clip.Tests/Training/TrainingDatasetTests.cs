using Clip.Data;
using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

public sealed class TrainingDatasetTests
{
    [Fact]
    public void FromCaptionedImages_GroupsCaptionsByImage()
    {
        CaptionedImage[] records =
        [
            new("/data/a.png", "a red ball", "ball"),
            new("/data/b.png", "a blue cup", "cup"),
            new("/data/a.png", "a round red toy", "ball"),
        ];

        TrainingDataset dataset = TrainingDataset.FromCaptionedImages(records);

        Assert.Equal(["/data/a.png", "/data/b.png"], dataset.Examples.Select(e => e.Name));
        Assert.Equal(["a red ball", "a round red toy"], dataset.Examples[0].Captions);
        Assert.Equal(["ball", "cup"], dataset.ClassNames!);
        Assert.Equal([0, 1], dataset.Examples.Select(e => e.Label!.Value));
    }

    [Fact]
    public void FromCaptionedImages_HasNoClasses_WithoutLabels()
    {
        TrainingDataset dataset = TrainingDataset.FromCaptionedImages([new CaptionedImage("/data/a.png", "a red ball")]);

        Assert.Null(dataset.ClassNames);
        Assert.Null(dataset.Examples[0].Label);
    }

    [Fact]
    public void Constructor_Rejects_LabelWithoutClassName()
    {
        TrainingExample example = TrainingExample.FromImage("x", () => ToyClip.Pattern(1, 1), ["caption"], label: 3);

        Assert.Throws<ArgumentException>(() => new TrainingDataset([example], classNames: ["zero", "one"]));
    }
}
