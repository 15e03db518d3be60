using static TorchSharp.torch;

namespace Clip.Benchmarks;

/// <summary>
/// Square matrix-multiply throughput in float32 and bfloat16: the roofline that every model figure of the same
/// run is divided by. The harness runs this suite first, with the run's thread count, whichever suites are selected.
/// </summary>
/// <remarks>
/// Each case multiplies two random N x N matrices (<c>torch.mm</c>), 2 N^3 floating-point operations per product.
/// Each product allocates its output, as a model's layers do.
/// </remarks>
internal sealed class RooflineBenchmarks : IBenchmarkSuite
{
    /// <summary>Suite name on the command line.</summary>
    public const string SuiteName = "roofline";

    /// <summary>Matrix sides measured; the best median of each precision is the roofline.</summary>
    private static readonly int[] Sizes = [1024, 2048];

    /// <summary>Multiplications per timed run, so that one run of the smaller size lasts tens of milliseconds.</summary>
    private const int ProductsPerRun = 4;

    /// <inheritdoc/>
    public string Name => SuiteName;

    /// <summary>Returns the case name of one measurement.</summary>
    public static string CaseName(RooflinePrecision precision, int size) =>
        $"{(precision == RooflinePrecision.Float32 ? "fp32" : "bf16")} matmul {size}x{size}";

    /// <inheritdoc/>
    public void Run(BenchmarkContext context, Action<BenchmarkResult> report)
    {
        foreach (RooflinePrecision precision in Enum.GetValues<RooflinePrecision>())
        {
            ScalarType dtype = precision == RooflinePrecision.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
            foreach (int size in Sizes)
            {
                using var scope = NewDisposeScope();
                Tensor left = randn(size, size).to(dtype);
                Tensor right = randn(size, size).to(dtype);
                double[] seconds = context.Time(() =>
                {
                    for (int i = 0; i < ProductsPerRun; i++)
                    {
                        left.mm(right).Dispose();
                    }
                });
                double flops = 2.0 * size * size * (double)size * ProductsPerRun;
                report(new BenchmarkResult(Name, CaseName(precision, size), "matmuls", ProductsPerRun, seconds, flops, Precision: precision));
            }
        }
    }
}
