// Text-to-image search: embed every image of a folder, then rank them by similarity to a text query.
// Usage: dotnet run --project samples/ImageSearch -- <model folder or checkpoint> <image folder> "<query>" [results]
using Clip;
using Clip.Imaging;
using Clip.Text;
using TorchSharp;

if (args.Length < 3)
{
    Console.Error.WriteLine("Usage: ImageSearch <model> <image folder> <query> [results]");
    return 2;
}

const int BatchSize = 64;
int results = args.Length > 3 ? int.Parse(args[3]) : 5;
string[] extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];
string[] files = Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories)
    .Where(file => extensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
    .Order()
    .ToArray();

using var model = ClipModel.FromPretrained(args[0]);
var tokenizer = ClipTokenizer.CreateDefault();
var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));

using (torch.no_grad())
{
    // Embed the folder in batches; each row is L2-normalised, so a dot product is a cosine similarity.
    var batches = new List<torch.Tensor>();
    foreach (string[] batch in files.Chunk(BatchSize))
    {
        batches.Add(model.EncodeImage(preprocessor.PreprocessBatch(batch), normalize: true));
    }

    using var index = torch.cat(batches, 0); // [N, E]
    batches.ForEach(tensor => tensor.Dispose());

    var tokenizeOptions = new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength, Truncate = true };
    using var query = model.EncodeText(tokenizer.Tokenize(args[2], tokenizeOptions), normalize: true); // [1, E]
    using var scores = index.matmul(query.t()).squeeze(1);                                               // [N]
    var (values, indices) = scores.topk(Math.Min(results, files.Length));

    float[] topScores = values.data<float>().ToArray();
    long[] topFiles = indices.data<long>().ToArray();
    for (int rank = 0; rank < topFiles.Length; rank++)
    {
        Console.WriteLine($"{rank + 1}. {files[topFiles[rank]]} (cosine {topScores[rank]:F3})");
    }
}

return 0;
