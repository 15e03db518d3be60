using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// The kernels under the batch-1 ViT-B/32 image encoder, measured alone: what a single image's encode can
/// cost at best with LibTorch's kernels, and the patch embedding as a convolution and as a matrix product.
/// </summary>
/// <remarks>
/// One image gives 50 tokens of width 768, so each block runs four products with 50 rows. They are the packed
/// q/k/v projection [50, 768] x [768, 2304], the output projection x [768, 768], and the MLP's x [768, 3072]
/// and [50, 3072] x [3072, 768]. "One block's weights" repeats one block's four products, so the weights stay in the
/// caches; "twelve blocks' weights" runs the 48 products of the twelve blocks in turn, as an encode does, so
/// every weight comes from memory (340 MB in float32).
/// </remarks>
internal sealed class KernelBenchmarks : IBenchmarkSuite
{
    private const int Tokens = 50;
    private const int Width = 768;
    private const int Blocks = 12;

    /// <inheritdoc/>
    public string Name => "kernels";

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        using var gradMode = no_grad();
        foreach (RooflinePrecision precision in Enum.GetValues<RooflinePrecision>())
        {
            ScalarType dtype = precision == RooflinePrecision.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
            string tag = precision == RooflinePrecision.Float32 ? "fp32" : "bf16";
            MeasureProjections(context, report, precision, dtype, tag);
            foreach (int batch in new[] { 1, 32 })
            {
                MeasurePatchEmbedding(context, report, precision, dtype, tag, batch);
            }
        }
    }

    private void MeasureProjections(BenchmarkContext context, Action<BenchmarkResult> report, RooflinePrecision precision, ScalarType dtype, string tag)
    {
        using var scope = NewDisposeScope();
        (long Inner, long Outer)[] shapes = [(Width, 3 * Width), (Width, Width), (Width, 4 * Width), (4 * Width, Width)];
        var weights = Enumerable.Range(0, Blocks)
            .SelectMany(_ => shapes.Select(shape => (Weight: (randn(shape.Outer, shape.Inner) * 0.02).to(dtype), Bias: zeros(shape.Outer, dtype: dtype))))
            .ToArray();
        var inputs = new Dictionary<long, Tensor> { [Width] = randn(Tokens, Width).to(dtype), [4 * Width] = randn(Tokens, 4 * Width).to(dtype) };
        double blockFlops = shapes.Sum(shape => 2.0 * Tokens * shape.Inner * shape.Outer);

        void Run(IEnumerable<(Tensor Weight, Tensor Bias)> sequence)
        {
            foreach (var (weight, bias) in sequence)
            {
                nn.functional.linear(inputs[weight.shape[1]], weight, bias).Dispose();
            }
        }

        string hot = $"ViT-B/32 batch-1 projections {tag}, one block's weights x 12";
        if (context.Includes(hot))
        {
            var oneBlock = weights.Take(shapes.Length).ToArray();
            double[] seconds = context.Time(() => Run(Enumerable.Repeat(oneBlock, Blocks).SelectMany(block => block)));
            report(new BenchmarkResult(Name, hot, "encodes", 1, seconds, blockFlops * Blocks, Precision: precision));
        }

        string cold = $"ViT-B/32 batch-1 projections {tag}, twelve blocks' weights";
        if (context.Includes(cold))
        {
            double[] seconds = context.Time(() => Run(weights));
            report(new BenchmarkResult(Name, cold, "encodes", 1, seconds, blockFlops * Blocks, Precision: precision));
        }
    }

    private void MeasurePatchEmbedding(BenchmarkContext context, Action<BenchmarkResult> report, RooflinePrecision precision, ScalarType dtype, string tag, int batch)
    {
        const int Patch = 32, Grid = 7;
        using var scope = NewDisposeScope();
        using var convolution = nn.Conv2d(3, Width, Patch, stride: Patch, bias: false);
        convolution.to(dtype);
        Tensor pixels = randn(batch, 3, Patch * Grid, Patch * Grid).to(dtype);
        Tensor matrix = convolution.weight!.reshape(Width, -1).t();
        double flops = 2.0 * batch * Grid * Grid * 3 * Patch * Patch * Width;

        string asConvolution = $"ViT-B/32 patch embedding {tag} batch {batch}, convolution";
        if (context.Includes(asConvolution))
        {
            double[] seconds = context.Time(() =>
            {
                using var step = NewDisposeScope();
                convolution.call(pixels).flatten(2).transpose(1, 2).contiguous();
            });
            report(new BenchmarkResult(Name, asConvolution, "batches", 1, seconds, flops, Precision: precision));
        }

        string asProduct = $"ViT-B/32 patch embedding {tag} batch {batch}, matrix product";
        if (context.Includes(asProduct))
        {
            double[] seconds = context.Time(() =>
            {
                using var step = NewDisposeScope();
                pixels.reshape(batch, 3, Grid, Patch, Grid, Patch).permute(0, 2, 4, 1, 3, 5).reshape(batch, Grid * Grid, -1).matmul(matrix);
            });
            report(new BenchmarkResult(Name, asProduct, "batches", 1, seconds, flops, Precision: precision));
        }
    }
}
