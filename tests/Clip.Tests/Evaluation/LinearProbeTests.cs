using Clip.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Evaluation;

public sealed class LinearProbeTests
{
    private const int Classes = 3;
    private const int Dimensions = 8;

    /// <summary>Gaussian blobs: class c is centred on 3 e_c plus an offset shared by all classes, unit noise.</summary>
    private static (Tensor Features, int[] Labels) Blobs(int perClass, int seed)
    {
        var generator = new Generator((ulong)seed);
        int[] labels = Enumerable.Range(0, Classes * perClass).Select(i => i % Classes).ToArray();
        Tensor centres = eye(Classes, Dimensions).mul(3).add(1.5); // [C, D]
        Tensor noise = randn(labels.Length, Dimensions, generator: generator);
        Tensor features = centres.index_select(0, tensor(labels.Select(l => (long)l).ToArray())).add(noise); // [N, D]
        return (features, labels);
    }

    [Fact]
    public void LogisticRegression_Fit_ZeroesFullGradient()
    {
        using var scope = NewDisposeScope();
        (Tensor features, int[] labels) = Blobs(perClass: 20, seed: 1);
        const double L2Strength = 0.05;
        var options = new LogisticRegressionOptions { L2Strength = L2Strength, GradientTolerance = 1e-7, RelativeFunctionTolerance = 0 };

        using var classifier = LogisticRegressionClassifier.Fit(features, labels, Classes, options);

        // The gradient by autograd at the returned weights and bias, in float64.
        Tensor weight = classifier.Weight.to_type(ScalarType.Float64).requires_grad_();
        Tensor bias = classifier.Bias.to_type(ScalarType.Float64).requires_grad_();
        Tensor logits = features.to_type(ScalarType.Float64).mm(weight).add(bias);
        Tensor loss = nn.functional.cross_entropy(logits, tensor(labels.Select(l => (long)l).ToArray()))
            .add(weight.square().sum().mul(0.5 * L2Strength));
        loss.backward();
        double largest = Math.Max(weight.grad!.abs().max().item<double>(), bias.grad!.abs().max().item<double>());

        Assert.True(classifier.Converged);
        Assert.True(largest < 1e-5, $"largest gradient component {largest}");
    }

    [Fact]
    public void LogisticRegression_WarmStart_ReachesSameSolution()
    {
        using var scope = NewDisposeScope();
        (Tensor features, int[] labels) = Blobs(perClass: 20, seed: 2);
        var strong = new LogisticRegressionOptions { L2Strength = 1.0, GradientTolerance = 1e-8, RelativeFunctionTolerance = 0 };
        var weak = strong with { L2Strength = 0.01 };

        using var start = LogisticRegressionClassifier.Fit(features, labels, Classes, strong);
        using var cold = LogisticRegressionClassifier.Fit(features, labels, Classes, weak);
        using var warm = LogisticRegressionClassifier.Fit(features, labels, Classes, weak, start);

        Assert.Equal(cold.Objective, warm.Objective, 7);
        Assert.True(warm.Iterations <= cold.Iterations, $"warm {warm.Iterations} vs cold {cold.Iterations} iterations");
    }

    [Fact]
    public void LogisticRegression_LabelOutOfRange_Throws()
    {
        using var scope = NewDisposeScope();
        (Tensor features, _) = Blobs(perClass: 2, seed: 3);

        var error = Assert.Throws<ArgumentException>(() => LogisticRegressionClassifier.Fit(features, [0, 1, 2, 0, 1, 5], Classes, new LogisticRegressionOptions()));

        Assert.Contains("Label 5 of example 5", error.Message);
    }

    [Fact]
    public void LogisticRegressionOptions_NegativeStrength_IsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { L2Strength = -1 });

        Assert.Equal(nameof(LogisticRegressionOptions.L2Strength), error.ParamName);
    }

    [Fact]
    public void Evaluate_SeparableBlobs_SweepsAndClassifies()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] trainLabels) = Blobs(perClass: 60, seed: 4);
        (Tensor test, int[] testLabels) = Blobs(perClass: 60, seed: 5);
        var reports = new List<EvaluationProgress>();
        var options = new LinearProbeOptions { MinExponent = -4, MaxExponent = 0, FineStepsPerDecade = 2 };

        LinearProbeResult result = LinearProbe.Evaluate(train, trainLabels, test, testLabels, ["x", "y", "z"], options, new ListProgress(reports));

        Assert.True(result.Test.Top1Accuracy > 0.9, $"test accuracy {result.Test.Top1Accuracy}");
        Assert.Contains(result.Sweep, c => c.L2Strength == result.L2Strength && c.ValidationAccuracy == result.ValidationAccuracy);
        Assert.Equal(result.Sweep.Max(c => c.ValidationAccuracy), result.ValidationAccuracy);
        Assert.Equal(EvaluationStage.FittingProbe, reports[^1].Stage);
    }

    [Fact]
    public void Fit_FineSweep_StaysWithinHalfDecadeOfCoarseBest()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] labels) = Blobs(perClass: 30, seed: 6);
        var options = new LinearProbeOptions { MinExponent = -3, MaxExponent = 0, FineStepsPerDecade = 2 };

        using LinearProbeFit fit = LinearProbe.Fit(train, labels, Classes, options);

        // Coarse candidates are powers of ten; the last two are 10^(e* + 1/2) and 10^(e* - 1/2).
        RegularizationCandidate[] coarse = fit.Sweep.SkipLast(2).ToArray();
        RegularizationCandidate best = coarse.MaxBy(c => c.ValidationAccuracy)!;
        Assert.Equal(best.L2Strength * Math.Sqrt(10), fit.Sweep[^2].L2Strength, 9);
        Assert.Equal(best.L2Strength / Math.Sqrt(10), fit.Sweep[^1].L2Strength, 9);
    }

    [Fact]
    public void Fit_SameSeed_IsDeterministic()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] labels) = Blobs(perClass: 20, seed: 7);
        var options = new LinearProbeOptions { MinExponent = -2, MaxExponent = 0, FineStepsPerDecade = 1, Seed = 3 };

        using LinearProbeFit first = LinearProbe.Fit(train, labels, Classes, options);
        using LinearProbeFit second = LinearProbe.Fit(train, labels, Classes, options);

        Assert.Equal(first.Sweep, second.Sweep);
    }

    [Fact]
    public void Options_ReversedExponents_AreRejected()
    {
        var options = new LinearProbeOptions { MinExponent = 2, MaxExponent = 1 };

        Assert.Throws<ArgumentOutOfRangeException>(() => options.CoarseExponents());
    }

    [Fact]
    public void Result_JsonAndMarkdown_ListSweep()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] trainLabels) = Blobs(perClass: 20, seed: 8);
        var options = new LinearProbeOptions { MinExponent = -1, MaxExponent = 0, FineStepsPerDecade = 1 };

        LinearProbeResult result = LinearProbe.Evaluate(train, trainLabels, train, trainLabels, ["x", "y", "z"], options);

        Assert.Contains("\"sweep\": [", result.ToJson());
        Assert.Contains("| L2 strength | validation top-1 | iterations | converged |", result.ToMarkdown());
    }

    [Fact]
    public void FewShot_Blobs_ReportsMeanAndSpreadPerShotCount()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] trainLabels) = Blobs(perClass: 40, seed: 9);
        (Tensor test, int[] testLabels) = Blobs(perClass: 40, seed: 10);
        var options = new FewShotOptions
        {
            Shots = [1, 4],
            Seeds = 3,
            ValidationExamplesPerClass = 4,
            Probe = new LinearProbeOptions { MinExponent = -2, MaxExponent = 0, FineStepsPerDecade = 1 },
        };
        var reports = new List<EvaluationProgress>();

        FewShotResult result = FewShotProbe.Evaluate(train, trainLabels, test, testLabels, ["x", "y", "z"], options, new ListProgress(reports));

        Assert.Equal([1, 4], result.Rows.Select(r => r.Shots));
        Assert.All(result.Rows, row => Assert.Equal(3, row.Accuracies.Count));
        Assert.All(result.Rows, row => Assert.Equal(row.Accuracies.Average(), row.MeanAccuracy, 12));
        Assert.True(result.Rows[1].MeanAccuracy > 0.8, $"4-shot accuracy {result.Rows[1].MeanAccuracy}");
        Assert.Equal(6, reports.Count);
        Assert.Contains("| few-shot probe | 4 |", result.ToMarkdown());
    }

    [Fact]
    public void FewShot_SampleStandardDeviation_UsesNMinusOne()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] trainLabels) = Blobs(perClass: 10, seed: 11);
        (Tensor test, int[] testLabels) = Blobs(perClass: 10, seed: 12);
        var options = new FewShotOptions { Shots = [1], Seeds = 4, FixedL2Strength = 0.1 };

        FewShotRow row = Assert.Single(FewShotProbe.Evaluate(train, trainLabels, test, testLabels, ["x", "y", "z"], options).Rows);

        double mean = row.Accuracies.Average();
        double expected = Math.Sqrt(row.Accuracies.Sum(a => (a - mean) * (a - mean)) / 3);
        Assert.Equal(expected, row.StandardDeviation, 12);
        Assert.All(row.L2Strengths, s => Assert.Equal(0.1, s));
    }

    [Fact]
    public void FewShot_TooFewExamples_NamesClass()
    {
        using var scope = NewDisposeScope();
        (Tensor train, int[] trainLabels) = Blobs(perClass: 5, seed: 13);
        var options = new FewShotOptions { Shots = [4], ValidationExamplesPerClass = 2 };

        var error = Assert.Throws<ArgumentException>(() => FewShotProbe.Evaluate(train, trainLabels, train, trainLabels, ["x", "y", "z"], options));

        Assert.Contains("has 5 training examples, but 6 per class are needed", error.Message);
    }

    private sealed class ListProgress(List<EvaluationProgress> reports) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => reports.Add(value);
    }
}
