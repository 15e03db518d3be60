using System.Globalization;
using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>
/// Few-shot linear probes: for each shot count k, probes fitted on k random training examples per class,
/// repeated over several seeds and reported as mean and standard deviation of the test accuracy.
/// </summary>
public static class FewShotProbe
{
    /// <summary>Runs every (shot count, seed) trial of <paramref name="options"/>.</summary>
    /// <param name="trainFeatures">Features [N, D] of the pool the shots are drawn from.</param>
    /// <param name="trainLabels">Class index of each training example.</param>
    /// <param name="testFeatures">Test features [M, D].</param>
    /// <param name="testLabels">Class index of each test example.</param>
    /// <param name="classNames">Class names, one per class.</param>
    /// <param name="options">Shot counts, seeds and probe settings; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Receives one report per finished trial.</param>
    /// <exception cref="ArgumentException">
    /// The shapes disagree, a label is out of range, or a class has fewer training examples than the largest
    /// shot count (plus the validation examples when the L2 strength is swept).
    /// </exception>
    public static FewShotResult Evaluate(
        Tensor trainFeatures,
        IReadOnlyList<int> trainLabels,
        Tensor testFeatures,
        IReadOnlyList<int> testLabels,
        IReadOnlyList<string> classNames,
        FewShotOptions? options = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(trainFeatures);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(testFeatures);
        ArgumentNullException.ThrowIfNull(testLabels);
        ArgumentNullException.ThrowIfNull(classNames);
        options ??= new FewShotOptions();
        if (trainFeatures.dim() != 2 || trainFeatures.shape[0] != trainLabels.Count)
        {
            throw new ArgumentException($"Training features must have shape [N, D] with N = {trainLabels.Count} labels, but have shape [{string.Join(", ", trainFeatures.shape)}].", nameof(trainFeatures));
        }

        int classCount = classNames.Count;
        List<int>[] byClass = GroupByClass(trainLabels, classCount);
        int needed = options.Shots.Max() + (options.FixedL2Strength is null ? options.ValidationExamplesPerClass : 0);
        int smallest = Enumerable.Range(0, classCount).MinBy(c => byClass[c].Count);
        if (byClass[smallest].Count < needed)
        {
            throw new ArgumentException(
                $"Class '{classNames[smallest]}' has {byClass[smallest].Count} training examples, but {needed} per class are needed ({options.Shots.Max()} shots"
                + (options.FixedL2Strength is null ? $" + {options.ValidationExamplesPerClass} validation examples)." : ")."),
                nameof(trainLabels));
        }

        using var scope = NewDisposeScope();
        Tensor pool = LinearProbe.Prepare(trainFeatures, options.Probe.NormalizeFeatures);
        Tensor test = LinearProbe.Prepare(testFeatures, options.Probe.NormalizeFeatures);
        int[] testLabelArray = testLabels.ToArray();

        var rows = new List<FewShotRow>();
        int total = options.Shots.Count * options.Seeds;
        int completed = 0;
        foreach (int shots in options.Shots)
        {
            var accuracies = new double[options.Seeds];
            var strengths = new double[options.Seeds];
            for (int seed = 0; seed < options.Seeds; seed++)
            {
                using var trialScope = NewDisposeScope();
                var random = new Random(options.Probe.Seed + seed);
                (int[] shotIndices, int[] validationIndices) = Draw(byClass, shots, options.FixedL2Strength is null ? options.ValidationExamplesPerClass : 0, random);
                using LogisticRegressionClassifier classifier = FitTrial(pool, trainLabels, shotIndices, validationIndices, classCount, options);
                int[] predictions = classifier.Predict(test);
                accuracies[seed] = (double)predictions.Where((p, i) => p == testLabelArray[i]).Count() / testLabelArray.Length;
                strengths[seed] = classifier.L2Strength;
                completed++;
                progress?.Report(new EvaluationProgress(
                    EvaluationStage.FewShotTrial,
                    completed,
                    total,
                    string.Create(CultureInfo.InvariantCulture, $"{shots} shots, seed {seed}: test top-1 {accuracies[seed]:P2}, L2 strength {strengths[seed]:G3}")));
            }

            rows.Add(new FewShotRow(shots, accuracies.Average(), SampleStandardDeviation(accuracies), accuracies, strengths));
        }

        return new FewShotResult(rows);
    }

    private static LogisticRegressionClassifier FitTrial(
        Tensor pool,
        IReadOnlyList<int> labels,
        int[] shotIndices,
        int[] validationIndices,
        int classCount,
        FewShotOptions options)
    {
        Tensor shotFeatures = LinearProbe.Select(pool, shotIndices);
        int[] shotLabels = shotIndices.Select(i => labels[i]).ToArray();
        if (options.FixedL2Strength is double strength)
        {
            return LogisticRegressionClassifier.Fit(shotFeatures, shotLabels, classCount, options.Probe.Fit with { L2Strength = strength });
        }

        // The sweep scores candidates on the validation examples and refits on the shots only.
        LinearProbeOptions probe = options.Probe with { RefitOnAllTrainingData = true };
        LinearProbeFit fit = LinearProbe.FitWithValidation(
            shotFeatures,
            shotLabels,
            shotFeatures,
            shotLabels,
            LinearProbe.Select(pool, validationIndices),
            validationIndices.Select(i => labels[i]).ToArray(),
            classCount,
            probe,
            progress: null);
        return fit.Classifier;
    }

    private static List<int>[] GroupByClass(IReadOnlyList<int> labels, int classCount)
    {
        var byClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++)
        {
            byClass[c] = [];
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of training example {i} is not a class index; allowed: 0 to {classCount - 1}.", nameof(labels));
            }

            byClass[labels[i]].Add(i);
        }

        return byClass;
    }

    /// <summary>Draws, per class and without replacement, <paramref name="shots"/> examples and then <paramref name="validation"/> more.</summary>
    private static (int[] Shots, int[] Validation) Draw(List<int>[] byClass, int shots, int validation, Random random)
    {
        var shotIndices = new List<int>();
        var validationIndices = new List<int>();
        foreach (List<int> members in byClass)
        {
            int[] shuffled = members.ToArray();
            random.Shuffle(shuffled);
            shotIndices.AddRange(shuffled[..shots]);
            validationIndices.AddRange(shuffled[shots..(shots + validation)]);
        }

        return (shotIndices.ToArray(), validationIndices.ToArray());
    }

    private static double SampleStandardDeviation(double[] values)
    {
        if (values.Length < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
