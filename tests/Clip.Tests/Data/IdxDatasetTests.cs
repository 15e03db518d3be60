using System.IO.Compression;
using Clip.Data;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Data;

public sealed class IdxDatasetTests : IDisposable
{
    private static readonly string[] ThreeClasses = ["zero", "one", "two"];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Builds an IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian sizes, data.</summary>
    private static byte[] Idx(int[] dimensions, byte[] data, byte type = 0x08)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dimensions.Length };
        foreach (int size in dimensions)
        {
            bytes.AddRange(BitConverter.GetBytes(size).Reverse());
        }

        bytes.AddRange(data);
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Two 2x3 images (pixel values 0..11) with labels 2 and 0.</summary>
    private (string Images, string Labels) WriteSmall(bool gzip)
    {
        byte[] images = Idx([2, 2, 3], Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray());
        byte[] labels = Idx([2], [2, 0]);
        return (
            _folder.Write("images.idx", gzip ? Gzip(images) : images),
            _folder.Write("labels.idx", gzip ? Gzip(labels) : labels));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_SmallFiles_ReadsImagesAndLabels(bool gzip)
    {
        (string images, string labels) = WriteSmall(gzip);

        IdxDataset dataset = IdxDataset.Load(images, labels, ThreeClasses);

        Assert.Equal(2, dataset.Count);
        Assert.Equal((2, 3), (dataset.Rows, dataset.Columns));
        Assert.Equal([2, 0], dataset.GetLabels());
        Assert.Equal(new byte[] { 120, 140, 160, 180, 200, 220 }, dataset.GetPixels(1).ToArray());
    }

    [Fact]
    public void LoadImage_GrayPixel_IsCopiedToThreeChannels()
    {
        (string images, string labels) = WriteSmall(gzip: false);
        IdxDataset dataset = IdxDataset.Load(images, labels, ThreeClasses);

        using var image = dataset.LoadImage(1);

        Assert.Equal((3, 2), (image.Width, image.Height));
        Assert.Equal(new Rgb24(180, 180, 180), image[0, 1]);
    }

    [Fact]
    public void ToTensor_Pixels_AreScaledToUnitRange()
    {
        (string images, string labels) = WriteSmall(gzip: false);
        IdxDataset dataset = IdxDataset.Load(images, labels, ThreeClasses);

        using Tensor pixels = dataset.ToTensor();

        Assert.Equal(new long[] { 2, 6 }, pixels.shape);
        Assert.Equal(220f / 255f, pixels[1, 5].item<float>(), 6);
    }

    [Fact]
    public void Load_WrongMagicPrefix_IsRejected()
    {
        (string images, _) = WriteSmall(gzip: false);
        byte[] bytes = Idx([2], [0, 1]);
        bytes[0] = 0x12;
        string labels = _folder.Write("bad-labels.idx", bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ThreeClasses));

        Assert.Contains("not an IDX file", error.Message);
    }

    [Fact]
    public void Load_UnsupportedType_IsRejected()
    {
        (string images, _) = WriteSmall(gzip: false);
        string labels = _folder.Write("int-labels.idx", Idx([2], [0, 0, 0, 1, 0, 0, 0, 2], type: 0x0C));

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ThreeClasses));

        Assert.Contains("data-type code 0x0C", error.Message);
    }

    [Fact]
    public void Load_LabelsFileAsImages_ReportsRank()
    {
        (string images, string labels) = WriteSmall(gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(labels, images, ThreeClasses));

        Assert.Contains("expected an IDX file with 3 dimension(s) (magic 0x00000803), but it has 1", error.Message);
    }

    [Fact]
    public void Load_TruncatedData_IsRejected()
    {
        byte[] full = Idx([2, 2, 3], new byte[12]);
        string images = _folder.Write("images.idx", full[..^1]);
        string labels = _folder.Write("labels.idx", Idx([2], [0, 1]));

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ThreeClasses));

        Assert.Contains("ends early", error.Message);
    }

    [Fact]
    public void Load_TrailingBytes_AreRejected()
    {
        string images = _folder.Write("images.idx", Idx([2, 2, 3], new byte[13]));
        string labels = _folder.Write("labels.idx", Idx([2], [0, 1]));

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ThreeClasses));

        Assert.Contains("extra bytes", error.Message);
    }

    [Fact]
    public void Load_CountMismatch_IsRejected()
    {
        (string images, _) = WriteSmall(gzip: false);
        string labels = _folder.Write("labels3.idx", Idx([3], [0, 1, 2]));

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ThreeClasses));

        Assert.Contains("2 images", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void Load_LabelWithoutClassName_IsRejected()
    {
        (string images, string labels) = WriteSmall(gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(images, labels, ["zero", "one"]));

        Assert.Contains("label 2 of example 0", error.Message);
    }

    [Fact]
    public void LoadSplit_MissingFiles_SuggestsPackage()
    {
        var error = Assert.Throws<FileNotFoundException>(() => IdxDataset.LoadFashionMnist(_folder.Path, IdxSplit.Test));

        Assert.Contains("dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void LoadSplit_UncompressedStandardNames_AreFound()
    {
        byte[] images = Idx([2, 2, 3], new byte[12]);
        byte[] labels = Idx([2], [9, 0]);
        _folder.Write("t10k-images-idx3-ubyte", images);
        _folder.Write("t10k-labels-idx1-ubyte", labels);

        IdxDataset dataset = IdxDataset.LoadFashionMnist(_folder.Path, IdxSplit.Test);

        Assert.Equal("Ankle boot", dataset.ClassNames[dataset.GetLabel(0)]);
    }

    [Fact]
    public void FashionMnist_TestSplit_HasPublishedShape()
    {
        string folder = TestPaths.FromEnvironment("CLIP_FASHION_MNIST", "/usr/share/datasets/fashion-mnist");
        Assert.True(
            File.Exists(Path.Combine(folder, "t10k-images-idx3-ubyte.gz")),
            $"Fashion-MNIST was not found in '{folder}'. Install it with 'apt-get install dataset-fashion-mnist' (as .ci/run does) or set CLIP_FASHION_MNIST.");

        IdxDataset test = IdxDataset.LoadFashionMnist(folder, IdxSplit.Test);

        Assert.Equal(10_000, test.Count);
        Assert.Equal((28, 28), (test.Rows, test.Columns));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1_000, test.GetLabels().Count(l => l == c)));
    }
}
