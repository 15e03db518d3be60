using SixLabors.ImageSharp;

namespace Clip.Imaging;

/// <summary>
/// One input of the preprocessor: a file path, a stream, an encoded byte array or a decoded ImageSharp
/// image, with the name that error messages use.
/// </summary>
/// <remarks>
/// A source does not own what it wraps: the caller keeps ownership of streams and images, and the
/// preprocessor never disposes or changes them. A stream source is read from its current position and
/// must not be shared between threads.
/// </remarks>
public sealed class ImageSource
{
    private ImageSource(string name, string? path, Stream? stream, byte[]? bytes, Image? image)
    {
        Name = name;
        Path = path;
        Stream = stream;
        Bytes = bytes;
        Image = image;
    }

    /// <summary>The name used in error messages: the path, or the name given to the other kinds.</summary>
    public string Name { get; }

    internal string? Path { get; }

    internal Stream? Stream { get; }

    internal byte[]? Bytes { get; }

    internal Image? Image { get; }

    /// <summary>A source that reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static ImageSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new ImageSource(path, path, null, null, null);
    }

    /// <summary>A source that reads encoded image bytes from <paramref name="stream"/>.</summary>
    /// <param name="stream">A readable stream, read from its current position; it is not disposed.</param>
    /// <param name="name">The name for error messages; defaults to "stream".</param>
    public static ImageSource FromStream(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable; pass a stream opened for reading.", nameof(stream));
        }

        return new ImageSource(name ?? "stream", null, stream, null, null);
    }

    /// <summary>A source over an encoded image file held in memory.</summary>
    /// <param name="bytes">The encoded file (PNG, JPEG, ...).</param>
    /// <param name="name">The name for error messages; defaults to "bytes".</param>
    public static ImageSource FromBytes(byte[] bytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new ImageSource(name ?? "bytes", null, null, bytes, null);
    }

    /// <summary>A source over an image that is already decoded.</summary>
    /// <param name="image">Any ImageSharp image; it is read, never changed or disposed.</param>
    /// <param name="name">The name for error messages; defaults to "image".</param>
    public static ImageSource FromImage(Image image, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new ImageSource(name ?? "image", null, null, null, image);
    }

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
