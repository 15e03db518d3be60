using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Imaging;

/// <summary>
/// Turns image files, streams, bytes and ImageSharp images into the normalised float tensors CLIP's
/// image encoder takes: decode, resize, crop, convert to RGB, scale to [0, 1], normalise per channel.
/// </summary>
/// <remarks>
/// <para>
/// With the default <see cref="ImageResampler.PillowBicubic"/> the 8-bit image before normalisation
/// equals, byte for byte, what OpenAI's reference pipeline (Pillow 9.4 and torchvision 0.14) produces
/// from the same decoded pixels. JPEG decoders differ slightly, so JPEG sources match the reference
/// only up to ImageSharp's decoding.
/// </para>
/// <para>
/// An instance is immutable and safe to share between threads; batches run their images in parallel.
/// </para>
/// </remarks>
public sealed partial class ImagePreprocessor
{
    private const int RgbChannels = 3;
    private const float MaxSample = 255f;
    private const int SampleValues = 256;

    private readonly Configuration _configuration;

    /// <summary>Normalised value of each 8-bit sample per channel: ((v / 255) - mean) / std in float32.</summary>
    private readonly float[][] _normalisation;

    /// <summary>Creates a preprocessor; <paramref name="options"/> defaults to <see cref="ImagePreprocessorOptions"/>'s defaults.</summary>
    public ImagePreprocessor(ImagePreprocessorOptions? options = null)
    {
        Options = options ?? new ImagePreprocessorOptions();
        _configuration = ImageDecoding.CreateConfiguration(Options.MaxPixelCount);
        _normalisation = new float[RgbChannels][];
        for (int c = 0; c < RgbChannels; c++)
        {
            _normalisation[c] = new float[SampleValues];
            for (int v = 0; v < SampleValues; v++)
            {
                // Two float32 steps, as ToTensor and Normalize compute them (a division by std, not a
                // multiplication by its inverse), so the values match the reference bit for bit.
                float scaled = v / MaxSample;
                _normalisation[c][v] = (scaled - Options.Mean[c]) / Options.Std[c];
            }
        }
    }

    /// <summary>The settings of this preprocessor.</summary>
    public ImagePreprocessorOptions Options { get; }

    /// <summary>Floats of one preprocessed image: 3 * Resolution * Resolution.</summary>
    public int ValuesPerImage => RgbChannels * Options.Resolution * Options.Resolution;

    /// <summary>Preprocesses the image file at <paramref name="path"/>.</summary>
    /// <returns>A new float32 CPU tensor [3, R, R] (R = <see cref="ImagePreprocessorOptions.Resolution"/>) that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The file is missing, empty, not a supported image, damaged or too large.</exception>
    public Tensor Preprocess(string path) => Preprocess(ImageSource.FromFile(path));

    /// <summary>Preprocesses an encoded image read from <paramref name="stream"/>; the stream is not disposed.</summary>
    /// <param name="stream">A readable stream positioned at the start of the encoded image.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>A new float32 CPU tensor [3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The data is empty, not a supported image, damaged or too large.</exception>
    public Tensor Preprocess(Stream stream, string? name = null) => Preprocess(ImageSource.FromStream(stream, name));

    /// <summary>Preprocesses an encoded image held in <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>A new float32 CPU tensor [3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The data is empty, not a supported image, damaged or too large.</exception>
    public Tensor Preprocess(byte[] bytes, string? name = null) => Preprocess(ImageSource.FromBytes(bytes, name));

    /// <summary>Preprocesses a decoded image; <paramref name="image"/> is not changed or disposed.</summary>
    /// <remarks>
    /// A decoded image has lost its file format, so the format rules of the reference (nearest-neighbour
    /// resizing of palette images) cannot apply: grey pixel types resize as grey, images with any
    /// transparent pixel as RGBA, the rest as RGB.
    /// </remarks>
    /// <returns>A new float32 CPU tensor [3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The image has more pixels than <see cref="ImagePreprocessorOptions.MaxPixelCount"/>.</exception>
    public Tensor Preprocess(Image image) => Preprocess(ImageSource.FromImage(image));

    /// <summary>Preprocesses one image source.</summary>
    /// <returns>A new float32 CPU tensor [3, R, R] that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The source cannot be decoded or is too large.</exception>
    public Tensor Preprocess(ImageSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var values = new float[ValuesPerImage];
        PreprocessInto(source, values);
        using var scope = NewDisposeScope();
        return tensor(values, [RgbChannels, Options.Resolution, Options.Resolution]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Preprocesses one image source into <paramref name="destination"/>, laid out channel-major
    /// [3, R, R] (CHW), without creating a tensor.
    /// </summary>
    /// <param name="source">The image.</param>
    /// <param name="destination">At least <see cref="ValuesPerImage"/> floats; the first ValuesPerImage are written.</param>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    /// <exception cref="InvalidImageException">The source cannot be decoded or is too large.</exception>
    public void PreprocessInto(ImageSource source, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (destination.Length < ValuesPerImage)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; one image needs {ValuesPerImage}.", nameof(destination));
        }

        Normalise(PrepareRgb(source, augmentation: null), destination);
    }

    /// <summary>
    /// Returns the 8-bit RGB image just before normalisation (resized, cropped and converted), which is
    /// what the model sees; useful to inspect or save.
    /// </summary>
    /// <returns>A new image of Resolution x Resolution pixels that the caller owns and disposes.</returns>
    /// <exception cref="InvalidImageException">The source cannot be decoded or is too large.</exception>
    public Image<Rgb24> PreprocessToImage(ImageSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return PixelConversions.ToImage(PrepareRgb(source, augmentation: null));
    }

    /// <summary>Decodes, resizes, crops and converts a source to 3-channel RGB of Resolution x Resolution.</summary>
    internal PixelBuffer PrepareRgb(ImageSource source, Augmentation.ImageAugmentation? augmentation)
    {
        (Image<Rgba32> image, SourceMode mode) = ImageDecoding.Decode(source, Options, _configuration);
        using (image)
        {
            ResizePlan plan = augmentation?.Plan(image.Width, image.Height, Options.Resolution)
                ?? ResizePlan.ForWholeImage(image.Width, image.Height, Options.Resolution, Options.Crop, source.Name);
            PixelBuffer rgb = Options.Resampler == ImageResampler.PillowBicubic
                ? ResizeLikePillow(image, mode, plan)
                : ResizeWithImageSharp(image, mode, plan);
            augmentation?.ApplyColour(rgb);
            return rgb;
        }
    }

    private PixelBuffer ResizeLikePillow(Image<Rgba32> image, SourceMode mode, ResizePlan plan)
    {
        bool hasAlpha = mode is SourceMode.Rgba or SourceMode.GreyAlpha
            || (mode == SourceMode.Palette && ImageDecoding.HasTransparency(image));
        if (hasAlpha && Options.AlphaPolicy == AlphaPolicy.CompositeOverBackground)
        {
            PixelConversions.CompositeOver(image, Options.Background);
            mode = mode switch
            {
                SourceMode.Rgba => SourceMode.Rgb,
                SourceMode.GreyAlpha => SourceMode.Grey,
                _ => mode,
            };
        }

        int channels = mode switch
        {
            SourceMode.Grey => 1,
            SourceMode.GreyAlpha => 2,
            SourceMode.Rgba => 4,
            _ => 3,
        };
        PixelBuffer source = PixelConversions.ToBuffer(image, channels);
        if (plan.SourceRegion != new Rectangle(0, 0, source.Width, source.Height))
        {
            Rectangle r = plan.SourceRegion;
            source = source.Crop(r.X, r.Y, r.Width, r.Height);
        }

        bool resizes = plan.ResizedWidth != source.Width || plan.ResizedHeight != source.Height;
        PixelBuffer result;
        if (mode is SourceMode.Palette or SourceMode.Bilevel)
        {
            // Pillow resizes palette and bilevel images with nearest neighbour whatever filter is asked.
            result = PillowResampler.ResizeNearest(source, plan.ResizedWidth, plan.ResizedHeight, plan.Crop);
        }
        else if (resizes && mode is SourceMode.Rgba or SourceMode.GreyAlpha)
        {
            // Pillow resizes RGBA as RGBa and LA as La (premultiplied), then converts back.
            PixelConversions.Premultiply(source);
            result = PillowResampler.ResizeBicubic(source, plan.ResizedWidth, plan.ResizedHeight, plan.Crop);
            PixelConversions.Unpremultiply(result);
        }
        else
        {
            result = PillowResampler.ResizeBicubic(source, plan.ResizedWidth, plan.ResizedHeight, plan.Crop);
        }

        return PixelConversions.ToRgb(result);
    }

    private PixelBuffer ResizeWithImageSharp(Image<Rgba32> image, SourceMode mode, ResizePlan plan)
    {
        if (mode is SourceMode.Palette or SourceMode.Bilevel)
        {
            // Pillow resizes palette and bilevel images with nearest neighbour whatever filter is asked;
            // every resampler follows that rule, with Pillow's own sampling positions.
            return ResizeLikePillow(image, mode, plan);
        }

        bool hasAlpha = mode is SourceMode.Rgba or SourceMode.GreyAlpha;
        bool resizes = plan.ResizedWidth != plan.SourceRegion.Width || plan.ResizedHeight != plan.SourceRegion.Height;
        bool premultiplied = hasAlpha && resizes && Options.AlphaPolicy == AlphaPolicy.Reference;
        if (hasAlpha && Options.AlphaPolicy == AlphaPolicy.CompositeOverBackground)
        {
            PixelConversions.CompositeOver(image, Options.Background);
        }
        else if (premultiplied)
        {
            // The reference's premultiplied resize, with only the filter arithmetic left to ImageSharp.
            PixelConversions.Premultiply(image);
        }

        IResampler sampler = Options.Resampler switch
        {
            ImageResampler.ImageSharpBicubic => KnownResamplers.Bicubic,
            ImageResampler.ImageSharpBilinear => KnownResamplers.Triangle,
            ImageResampler.ImageSharpLanczos3 => KnownResamplers.Lanczos3,
            _ => KnownResamplers.NearestNeighbor,
        };
        CropWindow crop = plan.Crop;
        image.Mutate(x =>
        {
            if (plan.SourceRegion != new Rectangle(0, 0, image.Width, image.Height))
            {
                x.Crop(plan.SourceRegion);
            }

            x.Resize(new ResizeOptions
            {
                Size = new SixLabors.ImageSharp.Size(plan.ResizedWidth, plan.ResizedHeight),
                Sampler = sampler,
                Mode = ResizeMode.Stretch,
                PremultiplyAlpha = false,
            });
            x.Crop(new Rectangle(crop.Left, crop.Top, crop.Width, crop.Height));
        });
        if (premultiplied)
        {
            PixelConversions.Unpremultiply(image);
        }

        return PixelConversions.ToBuffer(image, RgbChannels);
    }

    /// <summary>Writes an RGB buffer as normalised CHW floats.</summary>
    private void Normalise(PixelBuffer rgb, Span<float> destination)
    {
        int plane = rgb.Width * rgb.Height;
        byte[] data = rgb.Data;
        for (int c = 0; c < RgbChannels; c++)
        {
            float[] table = _normalisation[c];
            Span<float> output = destination.Slice(c * plane, plane);
            for (int p = 0; p < plane; p++)
            {
                output[p] = table[data[p * RgbChannels + c]];
            }
        }
    }
}
