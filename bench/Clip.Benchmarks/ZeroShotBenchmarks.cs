using Clip.Modeling;
using Clip.Text;
using Clip.ZeroShot;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Zero-shot class weights for 1,000 classes x 20 templates (<see cref="PromptTemplates.General"/>): the
/// whole set with the tiny ViT preset's text tower (width 64, 2 layers), and a slice of it with the
/// ViT-B/32 text tower (width 512, 12 layers), extrapolated to the full set. Weights are random: the
/// cost does not depend on them. A third case encodes the same ViT-B/32 slice at the full 77-token
/// context, which is what the classifier avoids by cutting each length-sorted batch to its longest prompt.
/// </summary>
internal sealed class ZeroShotBenchmarks : IBenchmarkSuite
{
    private const int ClassCount = 1_000;

    /// <summary>Classes of the ViT-B/32 slice; the full set is <see cref="ClassCount"/> / this many times larger.</summary>
    private const int SliceClassCount = 10;

    /// <summary>Classes of the 77-token ViT-B/32 case, which costs about six times more per prompt.</summary>
    private const int FullContextClassCount = 2;

    /// <summary>Runs of the ViT-B/32 cases at most, because one run takes tens of seconds on two cores.</summary>
    private const int LargeModelRepetitions = 2;

    private const int Seed = 1234;

    private static readonly string[] Adjectives =
    [
        "red", "small", "wild", "old", "striped", "wooden", "electric", "spotted", "giant", "frozen",
        "golden", "tiny", "rusty", "fluffy", "marble", "paper", "glass", "plastic", "silver", "desert",
        "mountain", "river", "garden", "arctic", "city", "folding", "racing", "baby", "antique", "steel",
        "green", "tropical", "ceramic", "woolen", "leather", "sea", "night", "snowy", "broken", "ancient",
    ];

    private static readonly string[] Nouns =
    [
        "fox", "chair", "lamp", "kettle", "bicycle", "owl", "boat", "guitar", "teapot", "tiger",
        "bridge", "umbrella", "clock", "frog", "truck", "violin", "shark", "candle", "lizard", "tractor",
        "penguin", "mushroom", "helmet", "dolphin", "sofa",
    ];

    public string Name => "zeroshot";

    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        string[] classes = Adjectives.SelectMany(a => Nouns.Select(n => $"{a} {n}")).Take(ClassCount).ToArray();
        IReadOnlyList<string> templates = PromptTemplates.General;
        ClipTokenizer tokenizer = ClipTokenizer.CreateDefault();
        int prompts = classes.Length * templates.Count;

        manual_seed(Seed);
        using (ClipModel tiny = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny)))
        {
            report(Timed($"class weights {classes.Length}x{templates.Count}, vit-tiny text", prompts, context,
                () => new ZeroShotClassifier(tiny, tokenizer, classes, templates).Dispose(), note: null));
        }

        string[] slice = classes.Take(SliceClassCount).ToArray();
        int slicePrompts = slice.Length * templates.Count;
        string extrapolation = $"{slicePrompts} of {prompts} prompts timed; x{ClassCount / SliceClassCount} for the full set";
        var large = context with { Repetitions = Math.Min(context.Repetitions, LargeModelRepetitions), WarmupRepetitions = Math.Min(context.WarmupRepetitions, 1) };
        using ClipModel vitB32 = ClipModel.Create(ClipPresets.Get("ViT-B/32"));
        vitB32.eval();
        report(Timed($"class weights {slice.Length}x{templates.Count}, ViT-B/32 text", slicePrompts, large,
            () => new ZeroShotClassifier(vitB32, tokenizer, slice, templates).Dispose(), extrapolation));

        string[] texts = classes.Take(FullContextClassCount).SelectMany(c => templates.Select(t => PromptTemplates.Fill(t, c))).ToArray();
        report(Timed($"{texts.Length} prompts at 77 tokens, ViT-B/32 text", texts.Length, large,
            () => EncodeFullContext(vitB32, tokenizer, texts), "no cut to the longest prompt"));
    }

    /// <summary>Times <paramref name="action"/> and adds the process CPU seconds per run to the note, which a loaded machine distorts less than wall-clock time.</summary>
    private BenchmarkResult Timed(string name, int prompts, BenchmarkContext context, Action action, string? note)
    {
        TimeSpan cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        double[] seconds = context.Time(action);
        double cpuPerRun = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (context.Repetitions + context.WarmupRepetitions);
        string cpu = $"CPU {cpuPerRun:F1} s per run, {prompts / cpuPerRun:F0} prompts per CPU-second";
        return new BenchmarkResult(Name, name, "prompts", prompts, seconds, Note: note is null ? cpu : $"{note}; {cpu}");
    }

    private static void EncodeFullContext(ClipModel model, ClipTokenizer tokenizer, string[] texts)
    {
        const int BatchSize = ZeroShotOptions.DefaultTextBatchSize;
        using var noGrad = no_grad();
        for (int start = 0; start < texts.Length; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            string[] batch = texts[start..Math.Min(texts.Length, start + BatchSize)];
            model.EncodeText(tokenizer.Tokenize(batch), normalize: true);
        }
    }
}
