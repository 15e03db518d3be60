using Clip.Text;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Tokenizer throughput on short captions ("a photo of a {label}." and similar, 6 to 12 words): one
/// thread, two threads, and whole batches into an int64 tensor [B, 77]. The word cache is warm, as in
/// the usual comparison with OpenAI's Python tokenizer (about 37,000 short captions per second on
/// one thread of a similar machine).
/// </summary>
internal sealed class TokenizerBenchmarks : IBenchmarkSuite
{
    private const int CaptionCount = 20_000;
    private const int BatchSize = 1_024;
    private const int Seed = 1234;

    private static readonly string[] Templates =
    [
        "a photo of a {0}.",
        "a blurry photo of the {0}.",
        "a close-up photo of a {0} on a wooden table",
        "a black and white photo of the {0}.",
        "there is a small {0} in the picture",
        "A bright photo of a {0} at night.",
        "itap of my {0}.",
        "a cartoon of two {0}s playing together",
    ];

    private static readonly string[] Labels =
    [
        "cat", "dog", "airplane", "automobile", "bird", "deer", "frog", "horse", "ship", "truck", "apple",
        "banana", "bicycle", "bridge", "river", "lighthouse", "umbrella", "sneaker", "t-shirt", "pullover",
        "ankle boot", "teddy bear", "golden retriever", "tabby cat", "fire truck", "school bus", "red panda",
        "coffee mug", "laptop", "mountain bike", "sports car", "palm tree", "sunflower", "snowman", "castle",
    ];

    public string Name => "tokenizer";

    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        report(new BenchmarkResult(Name, "create (embedded vocabulary already parsed)", "tokenizers", 1,
            context.Time(() => ClipTokenizer.CreateDefault())));

        ClipTokenizer tokenizer = ClipTokenizer.CreateDefault();
        string[] captions = MakeCaptions();
        foreach (string caption in captions)
        {
            tokenizer.TokenizeToRow(caption); // warm the word cache
        }

        report(new BenchmarkResult(Name, "short captions to rows, 1 thread", "captions", captions.Length,
            context.Time(() => TokenizeRange(tokenizer, captions, 0, captions.Length))));

        const int TwoThreads = 2;
        report(new BenchmarkResult(Name, "short captions to rows, 2 threads", "captions", captions.Length,
            context.Time(() => Parallel.For(0, TwoThreads, new ParallelOptions { MaxDegreeOfParallelism = TwoThreads }, part =>
            {
                int size = captions.Length / TwoThreads;
                TokenizeRange(tokenizer, captions, part * size, size);
            }))));

        string[][] batches = captions.Chunk(BatchSize).Where(chunk => chunk.Length == BatchSize).ToArray();
        report(new BenchmarkResult(Name, $"batches of {BatchSize} to an int64 tensor [B, 77], 1 thread", "captions", batches.Length * BatchSize,
            context.Time(() =>
            {
                foreach (string[] batch in batches)
                {
                    using Tensor tokens = tokenizer.Tokenize(batch);
                }
            })));
    }

    private static void TokenizeRange(ClipTokenizer tokenizer, string[] captions, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            tokenizer.TokenizeToRow(captions[i]);
        }
    }

    private static string[] MakeCaptions()
    {
        var random = new Random(Seed);
        return Enumerable.Range(0, CaptionCount)
            .Select(_ => string.Format(Templates[random.Next(Templates.Length)], Labels[random.Next(Labels.Length)]))
            .ToArray();
    }
}
