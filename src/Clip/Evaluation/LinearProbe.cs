using System.Globalization;
using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>
/// Linear probes on frozen features: multinomial logistic regression fitted with L-BFGS, its L2 strength
/// chosen on a held-out validation split by a coarse sweep over powers of ten followed by a finer sweep
/// around the best one, as CLIP's evaluation does.
/// </summary>
public static class LinearProbe
{
    /// <summary>Number of consecutive coarse candidates worse than the best after which the coarse sweep stops.</summary>
    /// <remarks>
    /// Validation accuracy as a function of the L2 strength rises to one peak and falls again in practice. So the
    /// weaker penalties past two worse decades are not fitted, which matters because they are the slowest to fit.
    /// </remarks>
    private const int CoarsePatience = 2;

    /// <summary>Smallest norm used when normalising a feature row, so that an all-zero row stays zero.</summary>
    private const double NormEpsilon = 1e-12;

    /// <summary>Fits a linear probe, choosing its L2 strength on a random validation split of the training examples.</summary>
    /// <param name="features">Training features [N, D], any float type and device.</param>
    /// <param name="labels">Class index of each training example.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="options">Sweep and fit settings; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Receives one report per fitted candidate, and one for the final fit.</param>
    /// <returns>The fitted probe, which the caller disposes.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, a label is out of range, or the split leaves no training or validation example.</exception>
    public static LinearProbeFit Fit(
        Tensor features,
        IReadOnlyList<int> labels,
        int classCount,
        LinearProbeOptions? options = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new LinearProbeOptions();
        if (features.dim() != 2 || features.shape[0] != labels.Count)
        {
            throw new ArgumentException($"Features must have shape [N, D] with N = {labels.Count} labels, but have shape [{string.Join(", ", features.shape)}].", nameof(features));
        }

        int validationCount = (int)Math.Round(labels.Count * options.ValidationFraction);
        if (validationCount < 1 || validationCount >= labels.Count)
        {
            throw new ArgumentException(
                $"A validation fraction of {options.ValidationFraction} leaves {labels.Count - validationCount} training and {validationCount} validation examples out of {labels.Count}; both must be at least 1.",
                nameof(labels));
        }

        int[] order = Enumerable.Range(0, labels.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        int[] validation = order[..validationCount];
        int[] training = order[validationCount..];

        using var scope = NewDisposeScope();
        Tensor all = Prepare(features, options.NormalizeFeatures);
        return FitWithValidation(
            all,
            labels,
            Select(all, training),
            training.Select(i => labels[i]).ToArray(),
            Select(all, validation),
            validation.Select(i => labels[i]).ToArray(),
            classCount,
            options,
            progress);
    }

    /// <summary>
    /// Fits a linear probe on the training set and reports its accuracy on the test set.
    /// </summary>
    /// <param name="trainFeatures">Training features [N, D].</param>
    /// <param name="trainLabels">Class index of each training example.</param>
    /// <param name="testFeatures">Test features [M, D].</param>
    /// <param name="testLabels">Class index of each test example.</param>
    /// <param name="classNames">Class names, one per class.</param>
    /// <param name="options">Sweep and fit settings; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Receives one report per fitted candidate, and one for the final fit.</param>
    /// <exception cref="ArgumentException">The shapes disagree or a label is out of range.</exception>
    public static LinearProbeResult Evaluate(
        Tensor trainFeatures,
        IReadOnlyList<int> trainLabels,
        Tensor testFeatures,
        IReadOnlyList<int> testLabels,
        IReadOnlyList<string> classNames,
        LinearProbeOptions? options = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        using LinearProbeFit fit = Fit(trainFeatures, trainLabels, classNames.Count, options, progress);
        using Tensor logits = fit.Logits(testFeatures);
        ClassificationReport test = ClassificationMetrics.Evaluate(logits, testLabels, classNames);
        return new LinearProbeResult(fit.L2Strength, fit.ValidationAccuracy, fit.Sweep, test);
    }

    /// <summary>
    /// Runs the sweep on given training and validation splits, then fits the final classifier (on
    /// <paramref name="allFeatures"/> when <see cref="LinearProbeOptions.RefitOnAllTrainingData"/> is set).
    /// All features must already be prepared by <see cref="Prepare"/>.
    /// </summary>
    internal static LinearProbeFit FitWithValidation(
        Tensor allFeatures,
        IReadOnlyList<int> allLabels,
        Tensor trainFeatures,
        IReadOnlyList<int> trainLabels,
        Tensor validationFeatures,
        IReadOnlyList<int> validationLabels,
        int classCount,
        LinearProbeOptions options,
        IProgress<EvaluationProgress>? progress)
    {
        IReadOnlyList<int> coarse = options.CoarseExponents();
        int fineCount = 2 * (options.FineStepsPerDecade - 1);
        int total = coarse.Count + fineCount + (options.RefitOnAllTrainingData ? 1 : 0);
        var sweep = new List<RegularizationCandidate>();
        int completed = 0;

        LogisticRegressionClassifier? best = null;
        double bestAccuracy = double.NegativeInfinity;
        double bestExponent = double.NaN;
        LogisticRegressionClassifier? previous = null;
        try
        {
            // Coarse sweep, strongest penalty first: each fit starts from the previous solution, which is
            // close, so the slow weakly-penalised fits converge in fewer iterations.
            int worseInARow = 0;
            foreach (int exponent in coarse)
            {
                LogisticRegressionClassifier fitted = FitCandidate(exponent, previous ?? best);
                completed++;
                double accuracy = Score(fitted, sweep, validationFeatures, validationLabels, progress, completed, total);
                if (previous is not null && previous != best)
                {
                    previous.Dispose();
                }

                previous = fitted;
                if (accuracy > bestAccuracy)
                {
                    if (best is not null && best != fitted)
                    {
                        best.Dispose();
                    }

                    (best, bestAccuracy, bestExponent, worseInARow) = (fitted, accuracy, exponent, 0);
                }
                else if (++worseInARow >= CoarsePatience)
                {
                    break;
                }
            }

            if (previous is not null && previous != best)
            {
                previous.Dispose();
            }

            previous = null;

            // Fine sweep between the neighbouring powers of ten of the best coarse strength, each fit started from it.
            LogisticRegressionClassifier coarseBest = best!;
            double coarseExponent = bestExponent;
            for (int step = options.FineStepsPerDecade - 1; step >= 1 - options.FineStepsPerDecade; step--)
            {
                if (step == 0)
                {
                    continue;
                }

                LogisticRegressionClassifier fitted = FitCandidate(coarseExponent + ((double)step / options.FineStepsPerDecade), coarseBest);
                completed++;
                double accuracy = Score(fitted, sweep, validationFeatures, validationLabels, progress, completed, total);
                if (accuracy > bestAccuracy)
                {
                    if (best != coarseBest)
                    {
                        best!.Dispose();
                    }

                    (best, bestAccuracy) = (fitted, accuracy);
                }
                else
                {
                    fitted.Dispose();
                }
            }

            if (coarseBest != best)
            {
                coarseBest.Dispose();
            }

            if (!options.RefitOnAllTrainingData)
            {
                LinearProbeFit kept = new(best!, bestAccuracy, sweep, options.NormalizeFeatures);
                best = null;
                return kept;
            }

            var finalOptions = options.Fit with { L2Strength = best!.L2Strength };
            LogisticRegressionClassifier final = LogisticRegressionClassifier.Fit(allFeatures, allLabels, classCount, finalOptions, best);
            progress?.Report(new EvaluationProgress(
                EvaluationStage.FittingProbe,
                total,
                total,
                string.Create(CultureInfo.InvariantCulture, $"final fit on {allLabels.Count} examples, L2 strength {best.L2Strength:G3}, {final.Iterations} iterations")));
            return new LinearProbeFit(final, bestAccuracy, sweep, options.NormalizeFeatures);
        }
        finally
        {
            previous?.Dispose();
            best?.Dispose();
        }

        LogisticRegressionClassifier FitCandidate(double exponent, LogisticRegressionClassifier? warmStart)
        {
            var candidateOptions = options.Fit with { L2Strength = Math.Pow(10, exponent) };
            return LogisticRegressionClassifier.Fit(trainFeatures, trainLabels, classCount, candidateOptions, warmStart);
        }
    }

    /// <summary>Copies features to the CPU as float32, scaled to unit L2 norm per row when <paramref name="normalize"/> is set.</summary>
    internal static Tensor Prepare(Tensor features, bool normalize)
    {
        using var scope = NewDisposeScope();
        Tensor x = features.detach().to(CPU).to_type(ScalarType.Float32);
        if (normalize)
        {
            x = x.div(x.norm(1, keepdim: true).ClampMin(NormEpsilon)); // [N, D] / [N, 1]
        }

        return x.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Returns the rows of <paramref name="features"/> at <paramref name="indices"/>; the tensor belongs to the current dispose scope.</summary>
    internal static Tensor Select(Tensor features, int[] indices) =>
        features.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));

    private static double Score(
        LogisticRegressionClassifier fitted,
        List<RegularizationCandidate> sweep,
        Tensor validationFeatures,
        IReadOnlyList<int> validationLabels,
        IProgress<EvaluationProgress>? progress,
        int completed,
        int total)
    {
        int[] predictions = fitted.Predict(validationFeatures);
        double accuracy = (double)predictions.Where((p, i) => p == validationLabels[i]).Count() / validationLabels.Count;
        sweep.Add(new RegularizationCandidate(fitted.L2Strength, accuracy, fitted.Iterations, fitted.Converged));
        progress?.Report(new EvaluationProgress(
            EvaluationStage.SweepingRegularization,
            completed,
            total,
            string.Create(CultureInfo.InvariantCulture, $"L2 strength {fitted.L2Strength:G3}: validation top-1 {accuracy:P2}, {fitted.Iterations} iterations")));
        return accuracy;
    }
}
