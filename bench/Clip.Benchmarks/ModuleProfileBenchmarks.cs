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
/// bfloat16, and the phases of a training step of two small presets. Each reported case is one module group; its time is that group's share of each timed encode, and
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

    /// <summary>Small presets whose training step is split into forward, backward and optimizer phases.</summary>
    private static readonly (string Model, int Batch)[] TrainingProfiles =
    [
        (ClipPresets.VitTiny, 256),
        (ClipPresets.VitDemo, 256),
    ];

    /// <inheritdoc/>
    public string Name => "profile";

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        foreach (var (preset, batch) in TrainingProfiles)
        {
            ProfileTrainingStep(context, report, preset, batch);
        }

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

    /// <summary>
    /// Times the phases of a training step on random pairs (forward with the loss, backward, AdamW step, zeroing the
    /// gradients), without the data pipeline, and reports each phase's share of the step.
    /// </summary>
    private static void ProfileTrainingStep(BenchmarkContext context, Action<BenchmarkResult> report, string preset, int batch)
    {
        string name = $"{preset} training step batch {batch}";
        if (!context.Includes(name))
        {
            return;
        }

        ClipConfig config = ClipPresets.Get(preset);
        using ClipModel model = ClipModel.Create(config);
        model.train();
        using var optimizer = optim.AdamW(model.parameters());
        using Tensor pixels = ModelBenchmarks.RandomPixels(config, batch);
        using Tensor tokens = ModelBenchmarks.RandomTokens(config, batch);
        string[] phases = ["forward and loss", "backward", "AdamW step", "zero_grad"];
        var seconds = phases.Select(_ => new double[context.Repetitions]).ToArray();
        var steps = new double[context.Repetitions];
        for (int i = -context.WarmupRepetitions; i < context.Repetitions; i++)
        {
            using var scope = NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            var losses = model.Loss(pixels, tokens);
            long forwardEnd = Stopwatch.GetTimestamp();
            losses.Loss.backward();
            long backwardEnd = Stopwatch.GetTimestamp();
            optimizer.step();
            long stepEnd = Stopwatch.GetTimestamp();
            optimizer.zero_grad();
            long end = Stopwatch.GetTimestamp();
            if (i < 0)
            {
                continue;
            }

            seconds[0][i] = Stopwatch.GetElapsedTime(start, forwardEnd).TotalSeconds;
            seconds[1][i] = Stopwatch.GetElapsedTime(forwardEnd, backwardEnd).TotalSeconds;
            seconds[2][i] = Stopwatch.GetElapsedTime(backwardEnd, stepEnd).TotalSeconds;
            seconds[3][i] = Stopwatch.GetElapsedTime(stepEnd, end).TotalSeconds;
            steps[i] = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        }

        double median = Statistics.Median(steps);
        double forwardFlops = ModelFlops.TrainingStep(config, batch, config.Text.ContextLength) / 3;
        double?[] flops = [forwardFlops, 2 * forwardFlops, null, null];
        report(new BenchmarkResult("profile", $"{name}: whole step", "steps", 1, steps, ModelFlops.TrainingStep(config, batch, config.Text.ContextLength)));
        for (int p = 0; p < phases.Length; p++)
        {
            report(new BenchmarkResult("profile", $"{name}: {phases[p]}", "steps", 1, seconds[p], flops[p], $"{Statistics.Median(seconds[p]) / median:P0} of the step"));
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
            // A module the encode never calls (the ViT's conv1 at its configured resolution) has no time to show.
            foreach (var (key, seconds) in perRun.Where(pair => pair.Value.Any(value => value > 0)).OrderByDescending(pair => Statistics.Median(pair.Value)))
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
