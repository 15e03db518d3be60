using Clip.Imaging;
using Clip.Modeling;
using Clip.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Tests.TestModels;

/// <summary>
/// A tiny CLIP model, trained for at most a few hundred small steps, that matches solid-colour images with
/// the captions that name their colour. Tests of zero-shot classification and embedding search then have a
/// correct result that a randomly initialised model would not produce.
/// </summary>
/// <remarks>
/// Training shows the model each colour in shades jittered around its base value; tests then use shades
/// that training did not draw (<see cref="CreateImage"/> with the base value or a given offset).
/// </remarks>
public sealed class ColorClipModel : IDisposable
{
    /// <summary>The colours the model separates, with their base RGB values.</summary>
    public static readonly IReadOnlyList<(string Name, Rgb24 Color)> Colors =
    [
        ("red", new Rgb24(220, 30, 30)),
        ("green", new Rgb24(30, 200, 40)),
        ("blue", new Rgb24(30, 40, 220)),
    ];

    /// <summary>The caption template used for training and for zero-shot prompts.</summary>
    public const string PromptTemplate = "a photo of something {0}.";

    /// <summary>Side of the generated images in pixels, larger than the model's 32 px so that resizing runs.</summary>
    public const int ImageSize = 40;

    /// <summary>Training stops at the first step whose contrastive loss is below this value.</summary>
    public const float TargetLoss = 0.01f;

    /// <summary>Training also stops after this many steps, with a loss that may be above the target.</summary>
    private const int MaxTrainingSteps = 500;

    private const double LearningRate = 2e-3;

    /// <summary>Largest per-channel offset of a training shade from its base colour.</summary>
    private const int ShadeJitter = 25;

    private const int Seed = 7;

    private static readonly Lazy<ColorClipModel> SharedModel = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    private ColorClipModel(ClipModel model, ClipTokenizer tokenizer, ImagePreprocessor preprocessor, float finalLoss)
    {
        Model = model;
        Tokenizer = tokenizer;
        Preprocessor = preprocessor;
        FinalLoss = finalLoss;
    }

    /// <summary>
    /// One trained instance for the whole test run, shared by the tests that only run inference on it
    /// (which the library allows from several threads). It lives until the process ends.
    /// </summary>
    public static ColorClipModel Shared => SharedModel.Value;

    /// <summary>The trained model, in eval mode.</summary>
    public ClipModel Model { get; }

    /// <summary>The default tokenizer (OpenAI vocabulary).</summary>
    public ClipTokenizer Tokenizer { get; }

    /// <summary>A reference preprocessor at the model's resolution.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>The contrastive loss of the last training step: below <see cref="TargetLoss"/> unless training ran out of steps.</summary>
    public float FinalLoss { get; }

    /// <summary>The caption of a colour name.</summary>
    public static string Prompt(string colorName) => string.Format(System.Globalization.CultureInfo.InvariantCulture, PromptTemplate, colorName);

    /// <summary>Encodes a solid image of <paramref name="color"/> shifted by <paramref name="offset"/> per channel as PNG.</summary>
    public static byte[] CreateImage(Rgb24 color, int offset = 0)
    {
        var shade = new Rgb24(Shift(color.R, offset), Shift(color.G, offset), Shift(color.B, offset));
        using var image = new Image<Rgb24>(ImageSize, ImageSize, shade);
        using var png = new MemoryStream();
        image.SaveAsPng(png);
        return png.ToArray();
    }

    /// <summary>
    /// Trains a model on the vit-tiny preset until its loss is below <see cref="TargetLoss"/>.
    /// </summary>
    /// <remarks>
    /// The initial weights come from TorchSharp's global generator, which tests running in parallel also
    /// draw from, so the starting point can differ between runs. Training to a target loss, rather than
    /// for a fixed number of steps, makes the result independent of it.
    /// </remarks>
    public static ColorClipModel Train()
    {
        manual_seed(Seed);
        var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        var tokenizer = ClipTokenizer.CreateDefault();
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));

        using var tokens = tokenizer.Tokenize(
            Colors.Select(color => Prompt(color.Name)).ToArray(),
            new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength });
        using var optimizer = optim.Adam(model.parameters(), LearningRate);
        var random = new Random(Seed);
        float loss = float.PositiveInfinity;

        model.train();
        for (int step = 0; step < MaxTrainingSteps && loss >= TargetLoss; step++)
        {
            using var scope = NewDisposeScope();
            var sources = Colors
                .Select(color => ImageSource.FromBytes(CreateImage(color.Color, random.Next(-ShadeJitter, ShadeJitter + 1))))
                .ToArray();
            Tensor pixels = preprocessor.PreprocessBatch(sources); // [3, 3, R, R]

            optimizer.zero_grad();
            var output = model.Loss(pixels, tokens);
            output.Loss.backward();
            optimizer.step();
            model.ClampLogitScale();
            loss = output.Loss.item<float>();
        }

        model.eval();
        return new ColorClipModel(model, tokenizer, preprocessor, loss);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    private static byte Shift(byte value, int offset) => (byte)Math.Clamp(value + offset, 0, 255);
}
