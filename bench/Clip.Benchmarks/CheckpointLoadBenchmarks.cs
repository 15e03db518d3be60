using System.Diagnostics;
using System.Globalization;
using Clip.Checkpoints;
using Clip.Modeling;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Peak memory and time of <see cref="ClipModel.FromPretrained(string, Device?)"/> for a ViT-B/32-sized model
/// saved in each checkpoint format. Each load runs in a fresh child process, which reports its resident set
/// before the load and its high-water mark (VmHWM in /proc/self/status, Linux only) after it.
/// </summary>
internal sealed class CheckpointLoadBenchmarks : IBenchmarkSuite
{
    /// <summary>First argument that makes the benchmark program load one checkpoint and report its memory.</summary>
    public const string ChildModeFlag = "--checkpoint-load-child";

    private const string ResultPrefix = "CHECKPOINT_LOAD";
    private const string ModelName = "ViT-B/32";
    private const int KibiByte = 1024;
    private const double MebiByte = 1024.0 * 1024.0;

    /// <inheritdoc/>
    public string Name => "checkpoints";

    /// <summary>Loads the checkpoint named in <paramref name="args"/> and prints the memory figures on one line.</summary>
    /// <returns>The process exit code.</returns>
    public static int RunChild(string[] args)
    {
        string path = args[0];

        // Load the native library and allocator first, so that the baseline includes them.
        using (Tensor warmup = ones(1) + 1)
        {
        }

        long baselineKiB = ReadStatus("VmRSS");
        long start = Stopwatch.GetTimestamp();
        using ClipModel model = ClipModel.FromPretrained(path);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long peakKiB = ReadStatus("VmHWM");
        Console.WriteLine(FormattableString.Invariant($"{ResultPrefix} {baselineKiB} {peakKiB} {seconds:R}"));
        return 0;
    }

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        if (!File.Exists("/proc/self/status"))
        {
            Console.Error.WriteLine("checkpoints: skipped, peak memory is read from /proc/self/status (Linux only).");
            return;
        }

        string folder = Directory.CreateTempSubdirectory("clip-checkpoint-bench-").FullName;
        try
        {
            long weightBytes;
            var files = new List<(string Case, string Path)>();
            using (ClipModel model = ClipModel.Create(ClipPresets.Get(ModelName)))
            {
                var tensors = model.state_dict().Select(pair => (pair.Key, pair.Value)).ToList();
                weightBytes = tensors.Sum(t => t.Value.numel() * t.Value.element_size());
                files.AddRange(SaveAllFormats(model, tensors, folder));
            }

            foreach ((string caseName, string path) in files)
            {
                var seconds = new double[context.Repetitions];
                long worstIncreaseKiB = 0;
                for (int i = 0; i < context.Repetitions; i++)
                {
                    (long baselineKiB, long peakKiB, seconds[i]) = RunChildProcess(path);
                    worstIncreaseKiB = Math.Max(worstIncreaseKiB, peakKiB - baselineKiB);
                }

                double increase = worstIncreaseKiB * (double)KibiByte;
                report(new BenchmarkResult(
                    Name,
                    caseName,
                    "loads",
                    1,
                    seconds,
                    Note: FormattableString.Invariant(
                        $"peak RSS +{increase / MebiByte:F0} MiB over the process baseline = {increase / weightBytes:F2} x the {weightBytes / MebiByte:F0} MiB of float32 weights; file {FileSize(path) / MebiByte:F0} MiB")));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<(string Case, string Path)> SaveAllFormats(ClipModel model, List<(string Name, Tensor Tensor)> tensors, string folder)
    {
        string stateDict = Path.Combine(folder, "state_dict.pt");
        TorchArchiveWriter.WriteStateDict(stateDict, tensors);
        yield return ("torch.save state dict (.pt)", stateDict);

        string openClip = Path.Combine(folder, "openclip_checkpoint.pt");
        TorchArchiveWriter.WriteStateDict(openClip, tensors, trainingCheckpoint: true);
        yield return ("OpenCLIP training checkpoint (.pt)", openClip);

        string torchScript = Path.Combine(folder, "openai_jit.pt");
        TorchArchiveWriter.WriteModuleTree(torchScript, tensors);
        yield return ("TorchScript module tree, float32 (.pt)", torchScript);

        string halfTorchScript = Path.Combine(folder, "openai_fp16_jit.pt");
        using (var scope = NewDisposeScope())
        {
            var half = tensors.Select(t => (t.Name, IsHalfInRelease(t.Name, t.Tensor) ? t.Tensor.to_type(ScalarType.Float16) : t.Tensor)).ToList();
            TorchArchiveWriter.WriteModuleTree(halfTorchScript, half);
        }

        yield return ("TorchScript module tree, float16 (.pt)", halfTorchScript);

        string safeTensors = Path.Combine(folder, "openai.safetensors");
        model.SaveSafetensors(safeTensors);
        yield return ("safetensors, OpenAI keys", safeTensors);

        string huggingFace = Path.Combine(folder, "hf");
        model.SavePretrained(huggingFace);
        yield return ("transformers folder (model.safetensors)", huggingFace);

        string huggingFaceBin = Path.Combine(folder, "hf_bin");
        Directory.CreateDirectory(huggingFaceBin);
        File.Copy(Path.Combine(huggingFace, HuggingFaceClipConfig.FileName), Path.Combine(huggingFaceBin, HuggingFaceClipConfig.FileName));
        using (var scope = NewDisposeScope())
        {
            Dictionary<string, Tensor> converted = HuggingFaceClipMapping.ToHuggingFaceLayout(tensors.ToDictionary(t => t.Name, t => t.Tensor));
            TorchArchiveWriter.WriteStateDict(Path.Combine(huggingFaceBin, PretrainedCheckpoint.PyTorchBinFileName), converted.Select(p => (p.Key, p.Value)).ToList());
        }

        yield return ("transformers folder (pytorch_model.bin)", huggingFaceBin);
    }

    /// <summary>
    /// Approximates which tensors OpenAI's half-precision releases store as float16: convolution, linear and
    /// attention weights and biases, and the two projections; embeddings and norms stay float32.
    /// </summary>
    private static bool IsHalfInRelease(string name, Tensor tensor) =>
        name is "text_projection" or "visual.proj"
        || name.Contains("attn.in_proj", StringComparison.Ordinal)
        || name.Contains("out_proj", StringComparison.Ordinal)
        || name.Contains("c_fc", StringComparison.Ordinal)
        || name.Contains("c_proj", StringComparison.Ordinal)
        || (name.EndsWith("conv1.weight", StringComparison.Ordinal) && tensor.dim() == 4);

    private static (long BaselineKiB, long PeakKiB, double Seconds) RunChildProcess(string checkpoint)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CheckpointLoadBenchmarks).Assembly.Location);
        }

        start.ArgumentList.Add(ChildModeFlag);
        start.ArgumentList.Add(checkpoint);
        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        string errors = child.StandardError.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"Loading '{checkpoint}' in a child process failed (exit code {child.ExitCode}): {errors}{output}");
        }

        string[] fields = line.Split(' ');
        return (
            long.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[2], CultureInfo.InvariantCulture),
            double.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    private static long ReadStatus(string field)
    {
        // Lines look like "VmHWM:\t  123456 kB".
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static long FileSize(string path) =>
        Directory.Exists(path)
            ? Directory.GetFiles(path).Sum(f => new FileInfo(f).Length)
            : new FileInfo(path).Length;
}
