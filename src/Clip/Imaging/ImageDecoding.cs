using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Clip.Imaging;

/// <summary>
/// Decoding through ImageSharp with the safety checks the preprocessor needs: the header is read first
/// and oversized images are rejected before any pixel buffer exists, ImageSharp's allocations are
/// capped, and every failure becomes an <see cref="InvalidImageException"/> naming the source.
/// </summary>
internal static class ImageDecoding
{
    private const long BytesPerMegabyte = 1024 * 1024;

    /// <summary>
    /// Bytes per pixel the allocation cap allows: 8 covers a 16-bit RGBA intermediate, the widest
    /// buffer ImageSharp's decoders build for the formats it reads.
    /// </summary>
    private const long MaxBytesPerPixel = 8;

    /// <summary>Slack above the pixel budget for decoder tables and small buffers.</summary>
    private const long AllocationSlackMegabytes = 64;

    /// <summary>
    /// Creates the ImageSharp configuration of one preprocessor: single-threaded (batches parallelise
    /// over images instead), first frame only for animations, allocations capped for
    /// <paramref name="maxPixelCount"/> pixels.
    /// </summary>
    public static Configuration CreateConfiguration(long maxPixelCount)
    {
        Configuration configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        long limitMegabytes = Math.Min(int.MaxValue, maxPixelCount * MaxBytesPerPixel / BytesPerMegabyte + AllocationSlackMegabytes);
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = (int)limitMegabytes });
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    /// <summary>
    /// Decodes <paramref name="source"/> into a new RGBA image that the caller owns, applies the EXIF
    /// orientation when asked, and reports the Pillow mode the source would open as.
    /// </summary>
    /// <exception cref="InvalidImageException">The source is missing, empty, not a supported image, damaged or too large.</exception>
    public static (Image<Rgba32> Image, SourceMode Mode) Decode(ImageSource source, ImagePreprocessorOptions options, Configuration configuration)
    {
        (Image<Rgba32> image, SourceMode mode) = source.Image is { } decoded
            ? FromImage(source, decoded, options, configuration)
            : FromEncoded(source, options, configuration);
        try
        {
            if (options.ApplyExifOrientation && NeedsOrientation(image))
            {
                image.Mutate(x => x.AutoOrient());
            }

            return (image, mode);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Whether any pixel is not fully opaque.</summary>
    public static bool HasTransparency(Image<Rgba32> image)
    {
        bool transparent = false;
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height && !transparent; y++)
            {
                foreach (Rgba32 pixel in accessor.GetRowSpan(y))
                {
                    if (pixel.A != byte.MaxValue)
                    {
                        transparent = true;
                        break;
                    }
                }
            }
        });
        return transparent;
    }

    private static (Image<Rgba32>, SourceMode) FromImage(ImageSource source, Image image, ImagePreprocessorOptions options, Configuration configuration)
    {
        CheckPixelCount(source, image.Width, image.Height, options);
        Image<Rgba32> copy = image.CloneAs<Rgba32>(configuration);
        SourceMode mode = image switch
        {
            Image<L8> or Image<L16> => SourceMode.Grey,
            Image<La16> or Image<La32> => SourceMode.GreyAlpha,
            _ => HasTransparency(copy) ? SourceMode.Rgba : SourceMode.Rgb,
        };
        return (copy, mode);
    }

    private static (Image<Rgba32>, SourceMode) FromEncoded(ImageSource source, ImagePreprocessorOptions options, Configuration configuration)
    {
        using Stream stream = OpenSeekable(source);
        long start = stream.Position;
        if (stream.Length - start == 0)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.Empty, "the source contains no bytes.");
        }

        IImageInfo? info = Guard(source, () => Image.Identify(configuration, stream, out _));
        if (info is null)
        {
            throw Unsupported(source, null);
        }

        CheckPixelCount(source, info.Width, info.Height, options);
        stream.Position = start;
        IImageFormat? format = null;
        Image<Rgba32> image = Guard(source, () => Image.Load<Rgba32>(configuration, stream, out format));
        try
        {
            return (image, DetectMode(image, format));
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private static Stream OpenSeekable(ImageSource source)
    {
        if (source.Bytes is { } bytes)
        {
            return new MemoryStream(bytes, writable: false);
        }

        if (source.Path is { } path)
        {
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
            {
                throw new InvalidImageException(source.Name, InvalidImageReason.NotFound, $"the file could not be opened ({e.Message}).", e);
            }
        }

        Stream stream = source.Stream!;
        if (stream.CanSeek)
        {
            return new NonClosingStream(stream);
        }

        // Identify and decode both read the header, so a forward-only stream is buffered first.
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        return buffer;
    }

    private static T Guard<T>(ImageSource source, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (UnknownImageFormatException e)
        {
            throw Unsupported(source, e);
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.TooLarge, "decoding needs more memory than the pixel limit allows.", e);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or EndOfStreamException or InvalidDataException)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.Corrupt, $"the data is damaged or truncated ({e.Message}).", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.UnsupportedFormat, $"the decoder does not support this variant of the format ({e.Message}).", e);
        }
    }

    private static InvalidImageException Unsupported(ImageSource source, Exception? inner) =>
        new(source.Name, InvalidImageReason.UnsupportedFormat, "the data is not an image in a supported format (BMP, GIF, JPEG, PBM, PNG, TGA, TIFF, WebP).", inner);

    private static void CheckPixelCount(ImageSource source, int width, int height, ImagePreprocessorOptions options)
    {
        long pixels = (long)width * height;
        if (width <= 0 || height <= 0)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.Corrupt, $"the header declares an invalid size {width}x{height}.");
        }

        if (pixels > options.MaxPixelCount)
        {
            throw new InvalidImageException(source.Name, InvalidImageReason.TooLarge,
                $"the header declares {width}x{height} = {pixels} pixels, more than MaxPixelCount = {options.MaxPixelCount}; raise ImagePreprocessorOptions.MaxPixelCount to accept it.");
        }
    }

    private static bool NeedsOrientation(Image image)
    {
        IExifValue<ushort>? orientation = image.Metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        return orientation is not null && orientation.Value != ExifOrientationMode.TopLeft;
    }

    /// <summary>
    /// The mode Pillow 9.4 gives a file of this format, from ImageSharp's format metadata, with a scan
    /// for transparency where the metadata does not say.
    /// </summary>
    private static SourceMode DetectMode(Image<Rgba32> image, IImageFormat? format)
    {
        const int BilevelBits = 1;
        const int MaxPaletteBits = 8;

        switch (format)
        {
            case PngFormat:
                PngMetadata png = image.Metadata.GetPngMetadata();
                return png.ColorType switch
                {
                    PngColorType.Palette => SourceMode.Palette,
                    PngColorType.Grayscale when png.BitDepth == PngBitDepth.Bit1 => SourceMode.Bilevel,
                    PngColorType.Grayscale => SourceMode.Grey,
                    PngColorType.GrayscaleWithAlpha => SourceMode.GreyAlpha,
                    PngColorType.RgbWithAlpha => SourceMode.Rgba,
                    PngColorType.Rgb => SourceMode.Rgb,
                    _ => ModeFromPixels(image),
                };
            case JpegFormat:
                // NOTE: Pillow resizes a CMYK JPEG in CMYK and converts afterwards; ImageSharp hands us RGB,
                // so CMYK sources are resized in RGB and may differ from the reference by a level or two.
                return image.Metadata.GetJpegMetadata().ColorType == JpegColorType.Luminance ? SourceMode.Grey : SourceMode.Rgb;
            case GifFormat:
                // NOTE: Pillow opens a GIF whose palette is exactly the grey ramp as "L" and resizes it
                // bicubically; ImageSharp 2.1 does not expose the palette, so every GIF is treated as "P".
                return SourceMode.Palette;
            case BmpFormat:
                // NOTE: Pillow opens a BMP with an exact grey-ramp palette as "L" (bicubic); ImageSharp 2.1
                // does not expose the palette, so every palette BMP is treated as "P".
                return (int)image.Metadata.GetBmpMetadata().BitsPerPixel <= MaxPaletteBits
                    ? SourceMode.Palette
                    : ModeFromPixels(image);
            case TiffFormat:
                TiffFrameMetadata tiff = image.Frames.RootFrame.Metadata.GetTiffMetadata();
                return tiff.PhotometricInterpretation switch
                {
                    TiffPhotometricInterpretation.PaletteColor => SourceMode.Palette,
                    TiffPhotometricInterpretation.WhiteIsZero or TiffPhotometricInterpretation.BlackIsZero
                        when tiff.BitsPerPixel is { } bits && (int)bits == BilevelBits => SourceMode.Bilevel,
                    TiffPhotometricInterpretation.WhiteIsZero or TiffPhotometricInterpretation.BlackIsZero
                        => HasTransparency(image) ? SourceMode.GreyAlpha : SourceMode.Grey,
                    _ => ModeFromPixels(image),
                };
            default:
                return ModeFromPixels(image);
        }
    }

    private static SourceMode ModeFromPixels(Image<Rgba32> image) => HasTransparency(image) ? SourceMode.Rgba : SourceMode.Rgb;

    /// <summary>A view of a caller's stream that leaves it open when disposed.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
