// Zero-shot classification: which of the given labels fits each image best?
// Usage: dotnet run --project samples/ZeroShot -- <model folder or checkpoint> <label,label,...> <image>...
using Clip;
using Clip.Imaging;
using Clip.Text;
using TorchSharp;

if (args.Length < 3)
{
    Console.Error.WriteLine("Usage: ZeroShot <model> <label,label,...> <image>...");
    return 2;
}

using var model = ClipModel.FromPretrained(args[0]);
var tokenizer = ClipTokenizer.CreateDefault();
var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));
string[] labels = args[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
string[] images = args[2..];

using (torch.no_grad())
{
    // One prompt per label; the model compares images and prompts by cosine similarity.
    var prompts = labels.Select(label => $"a photo of a {label}.").ToList();
    var tokenizeOptions = new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength, Truncate = true };
    using var textFeatures = model.EncodeText(tokenizer.Tokenize(prompts, tokenizeOptions), normalize: true); // [C, E]
    using var imageFeatures = model.EncodeImage(preprocessor.PreprocessBatch(images), normalize: true);       // [N, E]
    using var probabilities = (100 * imageFeatures.matmul(textFeatures.t())).softmax(1);                     // [N, C]

    for (int i = 0; i < images.Length; i++)
    {
        float[] row = probabilities[i].data<float>().ToArray();
        int best = Array.IndexOf(row, row.Max());
        Console.WriteLine($"{images[i]}: {labels[best]} ({row[best]:P1})");
    }
}

return 0;
