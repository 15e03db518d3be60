using Clip.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

/// <summary>
/// A dual encoder small enough for fast trainer tests, with CLIP's parameter names where the trainer relies on them
/// (<c>visual.</c>, <c>token_embedding</c>, <c>positional_embedding</c>, <c>text_projection</c>, <c>logit_scale</c>).
/// </summary>
internal sealed class ToyClip : nn.Module<Tensor, Tensor, Tensor>
{
    public const int Resolution = 8;
    public const int ContextLength = 6;
    public const int VocabSize = 32;
    private const int Width = 16;
    private const int EmbedDim = 8;

    private readonly ToyVisual visual;
    private readonly Embedding token_embedding;
    private readonly Parameter positional_embedding;
    private readonly Parameter text_projection;
    public readonly Parameter logit_scale;

    public ToyClip(int seed, bool withBatchNorm = false) : base(nameof(ToyClip))
    {
        torch.manual_seed(seed);
        visual = new ToyVisual(withBatchNorm);
        token_embedding = nn.Embedding(VocabSize, Width);
        positional_embedding = nn.Parameter(torch.randn(ContextLength, Width) * 0.1);
        text_projection = nn.Parameter(torch.randn(Width, EmbedDim) * 0.2);
        logit_scale = nn.Parameter(torch.tensor(MathF.Log(1 / 0.07f)));
        RegisterComponents();
    }

    public Tensor EncodeImage(Tensor pixels) => visual.call(pixels);

    public Tensor EncodeText(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        Tensor x = token_embedding.call(tokens) + positional_embedding; // [B, L, W]
        Tensor pooled = torch.tanh(x).mean([1]); // [B, W]
        return pooled.matmul(text_projection).MoveToOuterDisposeScope(); // [B, W] @ [W, E] -> [B, E]
    }

    public override Tensor forward(Tensor pixels, Tensor tokens) => throw new NotSupportedException();

    public TrainableClip AsTrainable() =>
        new(this, EncodeImage, EncodeText, logit_scale, visual, [token_embedding]);

    /// <summary>Tokens of a caption: one id per character, folded into the vocabulary, zero padded.</summary>
    public static Tensor Tokenize(IReadOnlyList<string> captions)
    {
        var ids = new long[captions.Count, ContextLength];
        for (int row = 0; row < captions.Count; row++)
        {
            for (int i = 0; i < Math.Min(ContextLength, captions[row].Length); i++)
            {
                ids[row, i] = 1 + (captions[row][i] % (VocabSize - 1));
            }
        }

        return torch.tensor(ids);
    }

    /// <summary>Pixels in [0, 1] of an image of the toy resolution (not resized), with a random horizontal flip.</summary>
    public static Tensor Preprocess(Image image, Random random)
    {
        bool flip = random.Next(2) == 1;
        return ToTensor(image, flip);
    }

    public static Tensor PreprocessForEvaluation(Image image) => ToTensor(image, flip: false);

    public static ClipTrainer CreateTrainer(ToyClip model, TrainingOptions options, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(model.AsTrainable(), Tokenize, Preprocess, PreprocessForEvaluation, options, logger);

    /// <summary>Examples with distinct random-pattern images and captions, reproducible from the seed.</summary>
    public static List<TrainingExample> Examples(int count, int seed = 7)
    {
        var examples = new List<TrainingExample>();
        for (int i = 0; i < count; i++)
        {
            int index = i;
            examples.Add(TrainingExample.FromImage($"toy-{index}", () => Pattern(seed, index), [$"item {index}", $"thing {index * 7}"], label: index % 3));
        }

        return examples;
    }

    public static Image Pattern(int seed, int index)
    {
        var random = new Random(seed * 1000 + index);
        var image = new Image<Rgb24>(Resolution, Resolution);
        for (int y = 0; y < Resolution; y++)
        {
            for (int x = 0; x < Resolution; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        return image;
    }

    private static Tensor ToTensor(Image image, bool flip)
    {
        using Image<Rgb24> rgb = image.CloneAs<Rgb24>();
        var values = new float[3 * Resolution * Resolution];
        for (int y = 0; y < Resolution; y++)
        {
            for (int x = 0; x < Resolution; x++)
            {
                Rgb24 pixel = rgb[flip ? Resolution - 1 - x : x, y];
                int offset = (y * Resolution) + x;
                values[offset] = pixel.R / 255f;
                values[(Resolution * Resolution) + offset] = pixel.G / 255f;
                values[(2 * Resolution * Resolution) + offset] = pixel.B / 255f;
            }
        }

        // Data workers run without a dispose scope, so the flat tensor is disposed here; the view keeps the storage alive.
        using Tensor flat = torch.tensor(values);
        return flat.view(3, Resolution, Resolution); // [3·R·R] -> [3, R, R]
    }

    private sealed class ToyVisual : nn.Module<Tensor, Tensor>
    {
        private readonly Linear conv1;
        private readonly nn.Module<Tensor, Tensor> bn1;
        private readonly Parameter proj;

        public ToyVisual(bool withBatchNorm) : base("visual")
        {
            conv1 = nn.Linear(3 * Resolution * Resolution, Width);
            bn1 = withBatchNorm ? nn.BatchNorm1d(Width) : nn.Identity();
            proj = nn.Parameter(torch.randn(Width, EmbedDim) * 0.2);
            RegisterComponents();
        }

        public override Tensor forward(Tensor pixels)
        {
            using var scope = NewDisposeScope();
            Tensor hidden = torch.tanh(bn1.call(conv1.call(pixels.flatten(1)))); // [B, 3·R·R] -> [B, W]
            return hidden.matmul(proj).MoveToOuterDisposeScope(); // [B, W] @ [W, E] -> [B, E]
        }
    }
}
