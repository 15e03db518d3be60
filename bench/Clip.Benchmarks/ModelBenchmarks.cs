using Clip.Modeling;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Inference throughput of the published encoders with random weights: <c>EncodeImage</c> of ViT-B/32, ViT-B/16 and
/// RN50 at batch 1 and 32, and <c>EncodeText</c> of the ViT-B/32 text tower at batch 1, 32 and 256 (full 77-token
/// rows), each in float32 and with bfloat16 weights.
/// </summary>
/// <remarks>
/// Each figure carries its analytic FLOP count (<see cref="ModelFlops"/>), so the harness prints GFLOP/s and the
/// fraction of the matrix-multiply roofline. ViT-B/32 figures are also compared with ONNX Runtime on the same
/// architecture (<see cref="OnnxRuntimeImagesPerSecond"/>, <see cref="OnnxRuntimeTextsPerSecond"/>).
/// </remarks>
internal sealed class ModelBenchmarks : IBenchmarkSuite
{
    /// <summary>
    /// ViT-B/32 image tower under ONNX Runtime 1.32 on an exported model with random weights, 2 threads of a 2-core
    /// AMD EPYC machine of this kind: 19 images/s at batch 1 (52 ms) and the same at batch 32. Supplied with the
    /// project's performance goals, not measured by this harness.
    /// </summary>
    public const double OnnxRuntimeImagesPerSecond = 19.0;

    /// <summary>ViT-B/32 text tower under ONNX Runtime 1.32 on the same machine: 27 texts/s at batch 32, 77 tokens.</summary>
    public const double OnnxRuntimeTextsPerSecond = 27.0;

    private const string OnnxRuntimeName = "ONNX Runtime 1.32";
    private const string TextModel = "ViT-B/32";
    private const int OnnxTextBatch = 32;

    private static readonly string[] ImageModels = ["ViT-B/32", "ViT-B/16", "RN50"];
    private static readonly int[] ImageBatches = [1, 32];
    private static readonly int[] TextBatches = [1, 32, 256];

    /// <inheritdoc/>
    public string Name => "models";

    /// <summary>Returns the case name of one measurement.</summary>
    public static string CaseName(string model, string tower, int batch, InferencePrecision precision) =>
        $"{model} {tower} batch {batch} {(precision == InferencePrecision.Float32 ? "fp32" : "bf16")}";

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        foreach (string modelName in ImageModels)
        {
            bool withText = modelName == TextModel;
            if (!InferencePrecisions().Any(p => ImageBatches.Any(b => context.Includes(CaseName(modelName, "image", b, p)))
                || (withText && TextBatches.Any(b => context.Includes(CaseName(modelName, "text", b, p))))))
            {
                continue;
            }

            ClipConfig config = ClipPresets.Get(modelName);
            using ClipModel model = ClipModel.Create(config);
            model.eval();
            foreach (InferencePrecision precision in InferencePrecisions())
            {
                model.UseInferencePrecision(precision);
                foreach (int batch in ImageBatches)
                {
                    MeasureImage(context, report, model, modelName, batch, precision);
                }

                if (withText)
                {
                    foreach (int batch in TextBatches)
                    {
                        MeasureText(context, report, model, modelName, batch, precision);
                    }
                }
            }
        }
    }

    /// <summary>The precisions measured, float32 first because the bfloat16 cast cannot be undone.</summary>
    private static InferencePrecision[] InferencePrecisions() => [InferencePrecision.Float32, InferencePrecision.BFloat16];

    /// <summary>Random pixels [B, 3, R, R] in float32, as a preprocessor returns them.</summary>
    internal static Tensor RandomPixels(ClipConfig config, int batch) =>
        randn(batch, 3, config.Vision.ImageResolution, config.Vision.ImageResolution);

    /// <summary>
    /// Random full-length token rows [B, C]: start token, random body ids, end-of-text token in the last position.
    /// </summary>
    internal static Tensor RandomTokens(ClipConfig config, int batch)
    {
        TextConfig text = config.Text;
        long endOfText = text.EndOfTextTokenId;
        long startOfText = endOfText - 1;
        Tensor tokens = randint(1, startOfText, [batch, text.ContextLength], dtype: ScalarType.Int64);
        tokens[.., 0] = startOfText;
        tokens[.., -1] = endOfText;
        return tokens;
    }

    private static void MeasureImage(BenchmarkContext context, Action<BenchmarkResult> report, ClipModel model, string modelName, int batch, InferencePrecision precision)
    {
        string caseName = CaseName(modelName, "image", batch, precision);
        if (!context.Includes(caseName))
        {
            return;
        }

        using Tensor pixels = RandomPixels(model.Config, batch);
        double[] seconds = context.Time(() => model.EncodeImage(pixels).Dispose());
        ExternalReference? reference = modelName == TextModel ? new ExternalReference(OnnxRuntimeName, OnnxRuntimeImagesPerSecond) : null;
        report(new BenchmarkResult("models", caseName, "images", batch, seconds, ModelFlops.EncodeImage(model.Config, batch), Precision: ToRoofline(precision), Reference: reference));
    }

    private static void MeasureText(BenchmarkContext context, Action<BenchmarkResult> report, ClipModel model, string modelName, int batch, InferencePrecision precision)
    {
        string caseName = CaseName(modelName, "text", batch, precision);
        if (!context.Includes(caseName))
        {
            return;
        }

        using Tensor tokens = RandomTokens(model.Config, batch);
        double[] seconds = context.Time(() => model.EncodeText(tokens).Dispose());
        ExternalReference? reference = batch == OnnxTextBatch ? new ExternalReference(OnnxRuntimeName, OnnxRuntimeTextsPerSecond) : null;
        double flops = ModelFlops.EncodeText(model.Config, batch, model.Config.Text.ContextLength);
        report(new BenchmarkResult("models", caseName, "texts", batch, seconds, flops, Precision: ToRoofline(precision), Reference: reference));
    }

    private static RooflinePrecision ToRoofline(InferencePrecision precision) =>
        precision == InferencePrecision.Float32 ? RooflinePrecision.Float32 : RooflinePrecision.BFloat16;
}
