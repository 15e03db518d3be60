using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Data;

/// <summary>
/// A classification dataset laid out as <c>root/&lt;class&gt;/&lt;image&gt;</c>: each subfolder of the root is a
/// class, named after the folder, and holds that class's images.
/// </summary>
/// <remarks>
/// Classes are sorted by folder name (ordinal), and images within a class by file name, so class indices
/// and image order do not depend on the file system. Only files with an image extension are taken
/// (<see cref="ImageExtensions"/>, case-insensitive); nested folders inside a class folder are searched too.
/// Images are decoded on demand by <see cref="LoadImage"/>.
/// </remarks>
public sealed class ImageFolderDataset : ILabelledImageDataset
{
    private readonly string[] _paths;
    private readonly int[] _labels;

    private ImageFolderDataset(string root, string[] classNames, string[] paths, int[] labels)
    {
        Root = root;
        ClassNames = classNames;
        _paths = paths;
        _labels = labels;
    }

    /// <summary>File extensions taken as images.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".tga", ".pbm"];

    /// <summary>Full path of the root folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    /// <remarks>The folder names, unchanged (for prompts, replace separators such as '_' as needed).</remarks>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int Count => _paths.Length;

    /// <summary>Full paths of the images, in dataset order.</summary>
    public IReadOnlyList<string> ImagePaths => _paths;

    /// <summary>Scans <paramref name="root"/> for class folders and their images.</summary>
    /// <param name="root">Folder whose subfolders are the classes.</param>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The root has no subfolders, or a class folder holds no image files.</exception>
    public static ImageFolderDataset Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        string fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DirectoryNotFoundException($"Image folder '{fullRoot}' was not found.");
        }

        string[] classFolders = Directory.GetDirectories(fullRoot).Order(StringComparer.Ordinal).ToArray();
        if (classFolders.Length == 0)
        {
            throw new InvalidDataException($"'{fullRoot}' has no subfolders; expected one subfolder per class, each holding that class's images.");
        }

        var classNames = new string[classFolders.Length];
        var paths = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classFolders.Length; label++)
        {
            classNames[label] = Path.GetFileName(classFolders[label]);
            string[] images = Directory.EnumerateFiles(classFolders[label], "*", SearchOption.AllDirectories)
                .Where(IsImageFile)
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0)
            {
                throw new InvalidDataException(
                    $"Class folder '{classFolders[label]}' holds no image files (extensions: {string.Join(", ", ImageExtensions)}); remove the folder or add images.");
            }

            paths.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Length));
        }

        return new ImageFolderDataset(fullRoot, classNames, paths.ToArray(), labels.ToArray());
    }

    /// <inheritdoc/>
    public int GetLabel(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <inheritdoc/>
    /// <exception cref="UnknownImageFormatException">The file is not an image that ImageSharp can decode.</exception>
    public Image<Rgb24> LoadImage(int index)
    {
        CheckIndex(index);
        return Image.Load<Rgb24>(_paths[index]);
    }

    private static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Allowed: 0 to {Count - 1}.");
        }
    }
}
