using SixLabors.ImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// Measures retrieval recall@K in both directions and, when the data has labels and class names, zero-shot
/// accuracy, with the model in evaluation mode and without gradients.
/// </summary>
/// <remarks>
/// Letters: I images, C captions (all captions of all images), K classes, E embedding width.
/// An image counts as retrieved at K when any of its captions is among the K captions nearest to it.
/// </remarks>
internal static class RetrievalValidation
{
    // Prompt of the zero-shot classifier; the CLIP paper's default template.
    private const string PromptTemplate = "a photo of a {0}.";

    public static ValidationMetrics Run(
        TrainableClip model,
        TrainingDataset data,
        Func<Image, Tensor> preprocess,
        Func<IReadOnlyList<string>, Tensor> tokenize,
        int batchSize,
        int workers,
        IReadOnlyList<int> recallAtK,
        int epoch,
        int step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.Module.eval();

        var captions = new List<string>();
        var captionOwner = new List<long>();
        for (int i = 0; i < data.Examples.Count; i++)
        {
            foreach (string caption in data.Examples[i].Captions.Where(c => !string.IsNullOrWhiteSpace(c)))
            {
                captions.Add(caption);
                captionOwner.Add(i);
            }
        }

        Tensor images = Normalize(EmbedImages(model, data, preprocess, batchSize, workers)); // [I, E]
        Tensor texts = Normalize(EmbedTexts(model, captions, tokenize, batchSize)); // [C, E]
        Tensor similarity = images.matmul(texts.t()); // [I, E] @ [E, C] -> [I, C]
        Tensor owner = tensor(captionOwner.ToArray(), dtype: ScalarType.Int64);

        var imageToText = new SortedDictionary<int, double>();
        var textToImage = new SortedDictionary<int, double>();
        foreach (int k in recallAtK)
        {
            imageToText[k] = ImageToTextRecall(similarity, owner, k);
            textToImage[k] = TextToImageRecall(similarity, owner, k);
        }

        double? zeroShot = ZeroShotAccuracy(model, data, images, tokenize);
        return new ValidationMetrics(epoch, step, imageToText, textToImage, zeroShot);
    }

    private static double ImageToTextRecall(Tensor similarity, Tensor owner, int k)
    {
        using var scope = NewDisposeScope();
        int take = (int)Math.Min(k, similarity.shape[1]);
        Tensor nearest = similarity.topk(take, dim: 1).indexes; // [I, k] caption indices
        Tensor nearestOwner = owner.index_select(0, nearest.flatten()).view(nearest.shape); // [I, k]
        Tensor self = arange(similarity.shape[0], dtype: ScalarType.Int64).unsqueeze(1); // [I, 1]
        return nearestOwner.eq(self).any(1).to(ScalarType.Float64).mean().item<double>();
    }

    private static double TextToImageRecall(Tensor similarity, Tensor owner, int k)
    {
        using var scope = NewDisposeScope();
        int take = (int)Math.Min(k, similarity.shape[0]);
        Tensor nearest = similarity.t().topk(take, dim: 1).indexes; // [C, k] image indices
        return nearest.eq(owner.unsqueeze(1)).any(1).to(ScalarType.Float64).mean().item<double>();
    }

    private static double? ZeroShotAccuracy(TrainableClip model, TrainingDataset data, Tensor images, Func<IReadOnlyList<string>, Tensor> tokenize)
    {
        if (data.ClassNames is not { Count: > 0 } classes || data.Examples.All(e => e.Label is null))
        {
            return null;
        }

        using var scope = NewDisposeScope();
        string[] prompts = classes.Select(c => string.Format(System.Globalization.CultureInfo.InvariantCulture, PromptTemplate, c)).ToArray();
        Tensor classEmbeddings = Normalize(model.EncodeText(tokenize(prompts))); // [K, E]
        long[] labelled = Enumerable.Range(0, data.Examples.Count).Where(i => data.Examples[i].Label is not null).Select(i => (long)i).ToArray();
        long[] labels = labelled.Select(i => (long)data.Examples[(int)i].Label!.Value).ToArray();
        Tensor chosen = images.index_select(0, tensor(labelled)).matmul(classEmbeddings.t()).argmax(1); // [n, E] @ [E, K] -> [n]
        return chosen.eq(tensor(labels)).to(ScalarType.Float64).mean().item<double>();
    }

    private static Tensor EmbedImages(TrainableClip model, TrainingDataset data, Func<Image, Tensor> preprocess, int batchSize, int workers)
    {
        var chunks = new List<Tensor>();
        for (int start = 0; start < data.Examples.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Examples.Count - start);
            var pixels = new Tensor[count];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
            {
                using Image image = data.Examples[start + i].LoadImage();
                pixels[i] = preprocess(image);
            });

            chunks.Add(model.EncodeImage(stack(pixels, 0))); // count × [3, R, R] -> [n, 3, R, R] -> [n, E]
            foreach (Tensor pixel in pixels)
            {
                pixel.Dispose();
            }
        }

        return cat(chunks, 0);
    }

    private static Tensor EmbedTexts(TrainableClip model, IReadOnlyList<string> captions, Func<IReadOnlyList<string>, Tensor> tokenize, int batchSize)
    {
        var chunks = new List<Tensor>();
        for (int start = 0; start < captions.Count; start += batchSize)
        {
            string[] batch = captions.Skip(start).Take(batchSize).ToArray();
            chunks.Add(model.EncodeText(tokenize(batch)));
        }

        return cat(chunks, 0);
    }

    private static Tensor Normalize(Tensor embeddings) => embeddings / embeddings.norm(1, keepdim: true);
}
