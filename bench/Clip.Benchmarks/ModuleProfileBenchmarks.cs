using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Clip.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Where the time of an encoder goes: forward hooks time every leaf module (and each attention layer as a whole),
/// and the times are summed over the blocks of a tower, e.g. <c>visual.transformer.resblocks.*.mlp.c_fc</c>.
/// </summary>
/// <remarks>
/// Profiled: ViT-B/32 image batch 1 and 32, ViT-B/32 text batch 32 and RN50 image batch 32, in float32 and
/// bfloat16. Each reported case is one module group; its time is that group's share of each timed encode, and
/// the last case of a profile (<c>(rest)</c>) is the time outside the hooked modules (embedding, reshapes,
/// pooling, input checks). Transformer groups carry their analytic FLOP counts, so their GFLOP/s show how close
/// each kind of layer comes to the roofline. CPU operators run synchronously, so a module's wall time between its
/// pre- and post-hook is its own cost.
/// </remarks>
internal sealed partial class ModuleProfileBenchmarks : IBenchmarkSuite
{
    private static readonly (string Model, string Tower, int Batch)[] Profiles =
    [
        ("ViT-B/32", "image", 1),
        ("ViT-B/32", "image", 32),
        ("ViT-B/32", "text", 32),
        ("RN50", "image", 32),
    ];

    /// <inheritdoc/>
    public string Name => "profile";

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        foreach (var group in Profiles.GroupBy(p => p.Model))
        {
            ClipConfig config = ClipPresets.Get(group.Key);
            if (!group.Any(p => Enum.GetValues<InferencePrecision>().Any(precision => context.Includes(ProfileName(p.Model, p.Tower, p.Batch, precision)))))
            {
                continue;
            }

            using ClipModel model = ClipModel.Create(config);
            model.eval();
            foreach (InferencePrecision precision in (InferencePrecision[])[InferencePrecision.Float32, InferencePrecision.BFloat16])
            {
                model.UseInferencePrecision(precision);
                foreach (var (modelName, tower, batch) in group)
                {
                    string name = ProfileName(modelName, tower, batch, precision);
                    if (context.Includes(name))
                    {
                        ProfileOne(context, report, model, name, tower, batch, precision);
                    }
                }
            }
        }
    }

    private static string ProfileName(string model, string tower, int batch, InferencePrecision precision) =>
        ModelBenchmarks.CaseName(model, tower, batch, precision);

    private static void ProfileOne(BenchmarkContext context, Action<BenchmarkResult> report, ClipModel model, string name, string tower, int batch, InferencePrecision precision)
    {
        bool image = tower == "image";
        string prefix = image ? "visual." : "";
        using Tensor input = image ? ModelBenchmarks.RandomPixels(model.Config, batch) : ModelBenchmarks.RandomTokens(model.Config, batch);
        Action encode = image ? () => model.EncodeImage(input).Dispose() : () => model.EncodeText(input).Dispose();

        var totals = new Dictionary<string, double>();
        var removers = new List<HookHandle>();
        var starts = new Stack<long>();
        foreach (var (path, module) in model.named_modules())
        {
            if (!IsProfiled(path, module, image))
            {
                continue;
            }

            string key = BlockIndex().Replace(path, ".*");
            totals.TryAdd(key, 0);
            removers.Add(Register(module, "register_forward_pre_hook", _ => starts.Push(Stopwatch.GetTimestamp())));
            removers.Add(Register(module, "register_forward_hook", _ => totals[key] += Stopwatch.GetElapsedTime(starts.Pop()).TotalSeconds));
        }

        try
        {
            var perRun = totals.Keys.ToDictionary(key => key, _ => new double[context.Repetitions]);
            var rest = new double[context.Repetitions];
            var encodes = new double[context.Repetitions];
            for (int i = 0; i < context.WarmupRepetitions; i++)
            {
                encode();
            }

            for (int i = 0; i < context.Repetitions; i++)
            {
                foreach (string key in totals.Keys)
                {
                    totals[key] = 0;
                }

                long start = Stopwatch.GetTimestamp();
                encode();
                encodes[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                foreach (var (key, seconds) in totals)
                {
                    perRun[key][i] = seconds;
                }

                rest[i] = encodes[i] - totals.Values.Sum();
            }

            double median = Statistics.Median(encodes);
            RooflinePrecision roofline = precision == InferencePrecision.Float32 ? RooflinePrecision.Float32 : RooflinePrecision.BFloat16;
            foreach (var (key, seconds) in perRun.OrderByDescending(pair => Statistics.Median(pair.Value)))
            {
                double share = Statistics.Median(seconds) / median;
                report(new BenchmarkResult("profile", $"{name}: {key}", "encodes", 1, seconds, GroupFlops(model.Config, key, batch, image), $"{share:P0} of the encode", roofline));
            }

            report(new BenchmarkResult("profile", $"{name}: (rest)", "encodes", 1, rest, Note: $"{Statistics.Median(rest) / median:P0} of the encode", Precision: roofline));
        }
        finally
        {
            foreach (HookHandle remover in removers)
            {
                remover.Dispose();
            }
        }
    }

    /// <summary>Leaf modules of the tower, and attention layers as a whole (their output projection is inside them).</summary>
    private static bool IsProfiled(string path, nn.Module module, bool image)
    {
        bool inTower = image ? path.StartsWith("visual.", StringComparison.Ordinal) : !path.StartsWith("visual", StringComparison.Ordinal) && path.Length > 0;
        if (!inTower || path.Contains(".attn.", StringComparison.Ordinal) || path.Contains(".attnpool.", StringComparison.Ordinal))
        {
            return false;
        }

        return module is MultiheadSelfAttention or AttentionPool2d || !module.children().Any();
    }

    /// <summary>FLOPs of the transformer groups whose cost the analytic counter knows; null for the others.</summary>
    private static double? GroupFlops(ClipConfig config, string key, int batch, bool image)
    {
        long tokens = image ? ((long)config.Vision.GridSize * config.Vision.GridSize) + 1 : config.Text.ContextLength;
        long width = image ? config.Vision.Width : config.Text.Width;
        int layers = image ? config.Vision.Layers[0] : config.Text.Layers;
        if (image && config.Vision.Architecture != VisionArchitecture.VisionTransformer)
        {
            return null;
        }

        double perBlock = key switch
        {
            _ when key.EndsWith(".attn", StringComparison.Ordinal) => ModelFlops.Attention(tokens, width),
            _ when key.EndsWith(".mlp.c_fc", StringComparison.Ordinal) || key.EndsWith(".mlp.c_proj", StringComparison.Ordinal) => ModelFlops.Mlp(tokens, width) / 2,
            _ => 0,
        };
        return perBlock == 0 ? null : perBlock * layers * batch;
    }

    /// <summary>
    /// Calls a module's hook registration that takes an <see cref="Action{T}"/> of the module (its declaring type is
    /// generic over the module's signature, hence reflection) and returns an object that removes the hook.
    /// </summary>
    private static HookHandle Register(nn.Module module, string method, Action<nn.Module> hook)
    {
        MethodInfo register = module.GetType().GetMethod(method, [typeof(Action<nn.Module>)])
            ?? throw new InvalidOperationException($"{module.GetType().Name} has no {method}(Action<Module>).");
        object remover = register.Invoke(module, [hook])!;
        MethodInfo remove = remover.GetType().GetMethod("remove", Type.EmptyTypes)
            ?? throw new InvalidOperationException($"{remover.GetType().Name} has no remove().");
        return new HookHandle(() => remove.Invoke(remover, null));
    }

    /// <summary>Removes a registered hook when disposed.</summary>
    private sealed class HookHandle(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }

    [GeneratedRegex(@"\.\d+(?=\.|$)")]
    private static partial Regex BlockIndex();
}
