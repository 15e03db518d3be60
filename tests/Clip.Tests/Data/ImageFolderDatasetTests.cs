using Clip.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private void WritePng(string relativePath, Rgb24 color)
    {
        using var image = new Image<Rgb24>(4, 3, color);
        image.SaveAsPng(_folder.Combine(relativePath));
    }

    [Fact]
    public void Open_ClassFolders_AreSortedWithTheirImages()
    {
        WritePng("zebra/b.png", new Rgb24(1, 2, 3));
        WritePng("zebra/a.PNG", new Rgb24(4, 5, 6));
        WritePng("apple/x.png", new Rgb24(7, 8, 9));
        _folder.Write("apple/notes.txt", "not an image");

        ImageFolderDataset dataset = ImageFolderDataset.Open(_folder.Path);

        Assert.Equal(["apple", "zebra"], dataset.ClassNames);
        Assert.Equal(3, dataset.Count);
        Assert.Equal([0, 1, 1], Enumerable.Range(0, 3).Select(dataset.GetLabel));
        Assert.Equal(["x.png", "a.PNG", "b.png"], dataset.ImagePaths.Select(Path.GetFileName));
    }

    [Fact]
    public void LoadImage_Png_DecodesPixels()
    {
        WritePng("cat/one.png", new Rgb24(10, 20, 30));
        ImageFolderDataset dataset = ImageFolderDataset.Open(_folder.Path);

        using Image<Rgb24> image = dataset.LoadImage(0);

        Assert.Equal(new Rgb24(10, 20, 30), image[2, 1]);
    }

    [Fact]
    public void Open_EmptyClassFolder_IsRejected()
    {
        WritePng("cat/one.png", new Rgb24(0, 0, 0));
        Directory.CreateDirectory(Path.Combine(_folder.Path, "dog"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Open(_folder.Path));

        Assert.Contains("dog", error.Message);
    }

    [Fact]
    public void Open_NoSubfolders_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Open(_folder.Path));
    }

    [Fact]
    public void Open_MissingRoot_IsRejected()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolderDataset.Open(Path.Combine(_folder.Path, "none")));
    }

    [Fact]
    public void GetLabel_OutOfRange_Throws()
    {
        WritePng("cat/one.png", new Rgb24(0, 0, 0));
        ImageFolderDataset dataset = ImageFolderDataset.Open(_folder.Path);

        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetLabel(1));
    }
}
