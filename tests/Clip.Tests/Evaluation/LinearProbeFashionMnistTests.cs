using System.Diagnostics;
using Clip.Data;
using Clip.Evaluation;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Clip.Tests.Evaluation;

/// <summary>
/// The linear probe on raw Fashion-MNIST pixels against the published accuracy of logistic regression on
/// that dataset: about 84% in the scikit-learn benchmark that ships with Fashion-MNIST. The IDX files come
/// from the Debian package <c>dataset-fashion-mnist</c>, which <c>.ci/run</c> installs; the folder can be
/// moved with <c>CLIP_FASHION_MNIST</c>. Run it alone with <c>--filter Category=RealData</c>.
/// </summary>
[Trait("Category", "RealData")]
public sealed class LinearProbeFashionMnistTests(ITestOutputHelper output)
{
    /// <summary>Published test accuracy of logistic regression on Fashion-MNIST pixels.</summary>
    private const double PublishedAccuracy = 0.84;

    /// <summary>Allowed distance from the published figure: one percentage point.</summary>
    private const double Tolerance = 0.01;

    private static string DataFolder => TestPaths.FromEnvironment("CLIP_FASHION_MNIST", "/usr/share/datasets/fashion-mnist");

    [Fact]
    public void LinearProbe_RawPixels_ReachesPublishedAccuracy()
    {
        Assert.True(
            File.Exists(Path.Combine(DataFolder, "train-images-idx3-ubyte.gz")),
            $"Fashion-MNIST was not found in '{DataFolder}'. Install it with 'apt-get install dataset-fashion-mnist' (as .ci/run does) or set CLIP_FASHION_MNIST to a folder with the four IDX files.");
        using var scope = NewDisposeScope();
        IdxDataset train = IdxDataset.LoadFashionMnist(DataFolder, IdxSplit.Train);
        IdxDataset test = IdxDataset.LoadFashionMnist(DataFolder, IdxSplit.Test);

        // The published optimum lies between 1e-6 and 1e-4 for unit-norm pixel rows, so the sweep is narrowed
        // to keep the test near a minute on two cores; the protocol is otherwise the default one.
        var options = new LinearProbeOptions { MinExponent = -7, MaxExponent = -3, FineStepsPerDecade = 2 };
        var watch = Stopwatch.StartNew();
        LinearProbeResult result = LinearProbe.Evaluate(
            train.ToTensor(), train.GetLabels(), test.ToTensor(), test.GetLabels(), train.ClassNames, options, new SynchronousProgress(output, watch));
        output.WriteLine(result.ToMarkdown("Fashion-MNIST raw pixels"));
        output.WriteLine($"total {watch.Elapsed}");

        Assert.InRange(result.Test.Top1Accuracy, PublishedAccuracy - Tolerance, PublishedAccuracy + Tolerance);
    }

    private sealed class SynchronousProgress(ITestOutputHelper output, Stopwatch watch) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value)
        {
            string line = $"{watch.Elapsed:mm\\:ss} {value.Stage} {value.Completed}/{value.Total} {value.Detail}";
            output.WriteLine(line);
        }
    }
}
