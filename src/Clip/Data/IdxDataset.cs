using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Clip.Data;

/// <summary>
/// A grayscale image classification dataset in IDX files (MNIST, Fashion-MNIST): an images file of shape
/// [N, rows, columns] and a labels file of shape [N], both unsigned bytes, gzip-compressed or not.
/// </summary>
public sealed class IdxDataset : ILabelledImageDataset
{
    /// <summary>Rank of an IDX images file: [N, rows, columns].</summary>
    private const int ImageFileDimensions = 3;

    /// <summary>Rank of an IDX labels file: [N].</summary>
    private const int LabelFileDimensions = 1;

    /// <summary>Largest 8-bit pixel value, which maps to 1.0 in <see cref="ToTensor"/>.</summary>
    private const float MaxPixelValue = 255f;

    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    private IdxDataset(byte[] pixels, byte[] labels, int rows, int columns, IReadOnlyList<string> classNames)
    {
        _pixels = pixels;
        _labels = labels;
        Rows = rows;
        Columns = columns;
        ClassNames = classNames;
    }

    /// <summary>The Fashion-MNIST class names, indexed by label, as in the dataset's documentation.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The MNIST class names: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> MnistClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <summary>Image height in pixels.</summary>
    public int Rows { get; }

    /// <summary>Image width in pixels.</summary>
    public int Columns { get; }

    /// <summary>
    /// Reads an images file and a labels file.
    /// </summary>
    /// <param name="imagesPath">IDX file of unsigned bytes with shape [N, rows, columns] (magic 0x00000803).</param>
    /// <param name="labelsPath">IDX file of unsigned bytes with shape [N] (magic 0x00000801).</param>
    /// <param name="classNames">Class names indexed by label; every label must be smaller than their count.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file of the expected rank, the image and label counts differ, or a label has no class name.</exception>
    public static IdxDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count == 0)
        {
            throw new ArgumentException("At least one class name is needed.", nameof(classNames));
        }

        (int[] imageDimensions, byte[] pixels) = IdxFile.ReadUnsignedBytes(imagesPath, ImageFileDimensions);
        (int[] labelDimensions, byte[] labels) = IdxFile.ReadUnsignedBytes(labelsPath, LabelFileDimensions);
        if (imageDimensions[0] != labelDimensions[0])
        {
            throw new InvalidDataException(
                $"'{imagesPath}' contains {imageDimensions[0]} images but '{labelsPath}' contains {labelDimensions[0]} labels; the two files must belong to the same split.");
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Count)
            {
                throw new InvalidDataException(
                    $"{labelsPath}: label {labels[i]} of example {i} has no class name; {classNames.Count} class names cover labels 0 to {classNames.Count - 1}.");
            }
        }

        return new IdxDataset(pixels, labels, imageDimensions[1], imageDimensions[2], classNames.ToArray());
    }

    /// <summary>
    /// Reads a split of an MNIST-style dataset from <paramref name="folder"/> by its standard file names
    /// (<c>train-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, ...), each with or without <c>.gz</c>.
    /// </summary>
    /// <param name="folder">Folder that contains the four files, for example /usr/share/datasets/fashion-mnist.</param>
    /// <param name="split">Which split to read.</param>
    /// <param name="classNames">Class names, for example <see cref="FashionMnistClassNames"/>.</param>
    /// <exception cref="FileNotFoundException">The folder lacks a file of the split.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file (see <see cref="Load"/>).</exception>
    public static IdxDataset LoadSplit(string folder, IdxSplit split, IReadOnlyList<string> classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string prefix = split switch
        {
            IdxSplit.Train => "train",
            IdxSplit.Test => "t10k",
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Allowed: Train, Test."),
        };
        return Load(
            FindFile(folder, $"{prefix}-images-idx3-ubyte"),
            FindFile(folder, $"{prefix}-labels-idx1-ubyte"),
            classNames);
    }

    /// <summary>Reads a split of Fashion-MNIST with <see cref="FashionMnistClassNames"/>.</summary>
    /// <param name="folder">Folder that contains the IDX files (Debian's <c>dataset-fashion-mnist</c> installs them in /usr/share/datasets/fashion-mnist).</param>
    /// <param name="split">Which split to read.</param>
    /// <exception cref="FileNotFoundException">The folder lacks a file of the split.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file.</exception>
    public static IdxDataset LoadFashionMnist(string folder, IdxSplit split) => LoadSplit(folder, split, FashionMnistClassNames);

    /// <summary>Reads a split of MNIST with <see cref="MnistClassNames"/>.</summary>
    /// <param name="folder">Folder that contains the IDX files.</param>
    /// <param name="split">Which split to read.</param>
    /// <exception cref="FileNotFoundException">The folder lacks a file of the split.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file.</exception>
    public static IdxDataset LoadMnist(string folder, IdxSplit split) => LoadSplit(folder, split, MnistClassNames);

    /// <inheritdoc/>
    public int GetLabel(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>Returns the labels of all images, in order.</summary>
    public int[] GetLabels() => _labels.Select(label => (int)label).ToArray();

    /// <summary>Returns the 8-bit grayscale pixels of the image at <paramref name="index"/>, row by row.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    public ReadOnlyMemory<byte> GetPixels(int index)
    {
        CheckIndex(index);
        int size = Rows * Columns;
        return new ReadOnlyMemory<byte>(_pixels, index * size, size);
    }

    /// <inheritdoc/>
    /// <remarks>The gray value is copied into the three channels.</remarks>
    public Image<Rgb24> LoadImage(int index)
    {
        ReadOnlySpan<byte> pixels = GetPixels(index).Span;
        var image = new Image<Rgb24>(Columns, Rows);
        for (int y = 0; y < Rows; y++)
        {
            for (int x = 0; x < Columns; x++)
            {
                byte value = pixels[(y * Columns) + x];
                image[x, y] = new Rgb24(value, value, value);
            }
        }

        return image;
    }

    /// <summary>
    /// Copies all pixels into a float32 tensor of shape [N, rows * columns] with values in [0, 1]
    /// (pixel / 255), for example as features for a linear probe on raw pixels.
    /// </summary>
    /// <returns>A new CPU tensor that the caller owns and disposes.</returns>
    public Tensor ToTensor()
    {
        using var scope = NewDisposeScope();
        Tensor bytes = tensor(_pixels, [Count, Rows * Columns], ScalarType.Byte);
        return bytes.to_type(ScalarType.Float32).DivScalar_(MaxPixelValue).MoveToOuterDisposeScope();
    }

    private static string FindFile(string folder, string name)
    {
        string plain = Path.Combine(folder, name);
        string compressed = plain + ".gz";
        if (File.Exists(compressed))
        {
            return compressed;
        }

        if (File.Exists(plain))
        {
            return plain;
        }

        throw new FileNotFoundException(
            $"Neither '{compressed}' nor '{plain}' exists. For Fashion-MNIST on Debian or Ubuntu, install the package 'dataset-fashion-mnist' (files in /usr/share/datasets/fashion-mnist).",
            plain);
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Allowed: 0 to {Count - 1}.");
        }
    }
}
