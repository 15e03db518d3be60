namespace Clip.Imaging;

/// <summary>
/// An 8-bit image stored row by row with interleaved channels: 1 (grey), 2 (grey, alpha), 3 (RGB) or
/// 4 (RGBA). The preprocessing pipeline works on these buffers instead of ImageSharp images so that
/// the resampler controls every byte.
/// </summary>
internal sealed class PixelBuffer
{
    /// <summary>Creates a zero-filled buffer.</summary>
    public PixelBuffer(int width, int height, int channels)
        : this(width, height, channels, new byte[checked(width * height * channels)])
    {
    }

    /// <summary>Wraps <paramref name="data"/>, which must hold exactly width * height * channels bytes.</summary>
    public PixelBuffer(int width, int height, int channels, byte[] data)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is invalid; both sides must be positive.");
        }

        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1, 2, 3 or 4.");
        }

        if (data.Length != (long)width * height * channels)
        {
            throw new ArgumentException($"Pixel data has {data.Length} bytes; a {width}x{height} image with {channels} channels needs {(long)width * height * channels}.", nameof(data));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Data = data;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved channels per pixel.</summary>
    public int Channels { get; }

    /// <summary>Bytes of one row.</summary>
    public int Stride => Width * Channels;

    /// <summary>The pixels, row-major, channels interleaved.</summary>
    public byte[] Data { get; }

    /// <summary>Returns one row of pixels.</summary>
    public Span<byte> Row(int y) => Data.AsSpan(y * Stride, Stride);

    /// <summary>Copies the rectangle at (<paramref name="left"/>, <paramref name="top"/>) into a new buffer.</summary>
    public PixelBuffer Crop(int left, int top, int width, int height)
    {
        if (left < 0 || top < 0 || width <= 0 || height <= 0 || left + width > Width || top + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(left), $"Crop {width}x{height} at ({left}, {top}) does not fit in a {Width}x{Height} image.");
        }

        var result = new PixelBuffer(width, height, Channels);
        for (int y = 0; y < height; y++)
        {
            Data.AsSpan((top + y) * Stride + left * Channels, width * Channels).CopyTo(result.Row(y));
        }

        return result;
    }
}
