using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>
/// A multinomial logistic-regression classifier (a linear layer followed by softmax), fitted with L-BFGS.
/// </summary>
/// <remarks>
/// The weights live on the CPU in float32 and are disposed with the classifier. Fitting multiplies the
/// feature matrix in float32 (the cost of every iteration) and keeps the parameters, the objective and the
/// L-BFGS state in float64, so that the convergence test is not limited by float32 rounding of the parameters.
/// </remarks>
public sealed class LogisticRegressionClassifier : IDisposable
{
    private readonly Tensor _weight;
    private readonly Tensor _bias;

    private LogisticRegressionClassifier(Tensor weight, Tensor bias, double l2Strength, int iterations, bool converged, double objective)
    {
        _weight = weight;
        _bias = bias;
        L2Strength = l2Strength;
        Iterations = iterations;
        Converged = converged;
        Objective = objective;
    }

    /// <summary>The weights [D, C], float32; owned by the classifier.</summary>
    internal Tensor Weight => _weight;

    /// <summary>The bias [C], float32; owned by the classifier.</summary>
    internal Tensor Bias => _bias;

    /// <summary>Number of input features, D.</summary>
    public int FeatureCount => (int)_weight.shape[0];

    /// <summary>Number of classes, C.</summary>
    public int ClassCount => (int)_weight.shape[1];

    /// <summary>The L2 strength the classifier was fitted with.</summary>
    public double L2Strength { get; }

    /// <summary>L-BFGS iterations run.</summary>
    public int Iterations { get; }

    /// <summary>Whether a stopping tolerance was met before the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>The final value of the regularised objective.</summary>
    public double Objective { get; }

    /// <summary>
    /// Fits a classifier to <paramref name="features"/> and <paramref name="labels"/>.
    /// </summary>
    /// <param name="features">Features [N, D], any float type and device; they are copied to the CPU as float32.</param>
    /// <param name="labels">Class index of each of the N examples.</param>
    /// <param name="classCount">Number of classes C; labels must be smaller.</param>
    /// <param name="options">L2 strength, iteration limit and tolerances.</param>
    /// <param name="warmStart">A classifier of the same shape to start from (for example the fit at a nearby L2 strength), or <see langword="null"/> to start from zero.</param>
    /// <returns>The fitted classifier, which the caller disposes.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, a label is out of range, or the warm start has another shape.</exception>
    public static LogisticRegressionClassifier Fit(
        Tensor features,
        IReadOnlyList<int> labels,
        int classCount,
        LogisticRegressionOptions options,
        LogisticRegressionClassifier? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (features.dim() != 2 || features.shape[0] != labels.Count || labels.Count == 0)
        {
            throw new ArgumentException(
                $"Features must have shape [N, D] with N = {labels.Count} labels (N > 0), but have shape [{string.Join(", ", features.shape)}].",
                nameof(features));
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of example {i} is not a class index; allowed: 0 to {classCount - 1}.", nameof(labels));
            }
        }

        int featureCount = (int)features.shape[1];
        if (warmStart is not null && (warmStart.FeatureCount != featureCount || warmStart.ClassCount != classCount))
        {
            throw new ArgumentException(
                $"The warm start has {warmStart.FeatureCount} features and {warmStart.ClassCount} classes, but the fit has {featureCount} and {classCount}.",
                nameof(warmStart));
        }

        using var scope = NewDisposeScope();
        var objective = new SoftmaxObjective(features, labels, classCount, options.L2Strength);
        long weightCount = (long)featureCount * classCount;

        // The objective works on centred features, so its bias is b + mean · W (see SoftmaxObjective).
        Tensor start = zeros(objective.ParameterCount, dtype: ScalarType.Float64);
        if (warmStart is not null)
        {
            Tensor warmWeight = warmStart._weight.to_type(ScalarType.Float64);
            Tensor warmBias = warmStart._bias.to_type(ScalarType.Float64).Plus(objective.Mean.unsqueeze(0).mm(warmWeight).squeeze(0)); // [1, D] @ [D, C] -> [C]
            start = cat([warmWeight.flatten(), warmBias]);
        }

        var settings = new LbfgsSettings(options.MaxIterations, options.GradientTolerance, options.RelativeFunctionTolerance, options.HistorySize);
        LbfgsResult result = Lbfgs.Minimize(objective.Evaluate, start, settings);

        Tensor solvedWeight = result.Solution.narrow(0, 0, weightCount).view(featureCount, classCount); // [D, C]
        Tensor solvedBias = result.Solution.narrow(0, weightCount, classCount).sub(objective.Mean.unsqueeze(0).mm(solvedWeight).squeeze(0)); // [C]

        // The classifier owns its weights and frees them in Dispose, so they leave every dispose scope.
        Tensor weight = solvedWeight.to_type(ScalarType.Float32).DetachFromDisposeScope();
        Tensor bias = solvedBias.to_type(ScalarType.Float32).DetachFromDisposeScope();
        return new LogisticRegressionClassifier(weight, bias, options.L2Strength, result.Iterations, result.Converged, result.Objective);
    }

    /// <summary>Computes the logits of <paramref name="features"/>.</summary>
    /// <param name="features">Features [N, D], any float type; the result is computed on the CPU.</param>
    /// <returns>Logits [N, C], float32 on the CPU; the caller owns and disposes them.</returns>
    /// <exception cref="ArgumentException">The features do not have D columns.</exception>
    public Tensor Logits(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] != FeatureCount)
        {
            throw new ArgumentException($"Features must have shape [N, {FeatureCount}], but have shape [{string.Join(", ", features.shape)}].", nameof(features));
        }

        using var scope = NewDisposeScope();
        Tensor x = features.detach().to(CPU).to_type(ScalarType.Float32);
        return x.mm(_weight).Plus_(_bias).MoveToOuterDisposeScope(); // [N, D] @ [D, C] -> [N, C]
    }

    /// <summary>Returns the most likely class of each row of <paramref name="features"/>.</summary>
    /// <param name="features">Features [N, D].</param>
    public int[] Predict(Tensor features)
    {
        using Tensor logits = Logits(features);
        return ClassificationMetrics.Predict(logits);
    }

    /// <summary>Releases the weight tensors.</summary>
    public void Dispose()
    {
        _weight.Dispose();
        _bias.Dispose();
    }

    /// <summary>The regularised mean cross-entropy and its analytic gradient, on a fixed dataset.</summary>
    /// <remarks>
    /// The features are centred on their mean first. With an unpenalised bias this changes nothing about the
    /// solution (W·(x - m) + b' = W·x + b with b = b' - m·W, and the penalty is on W only), but it removes
    /// the large common component of non-negative features such as pixels or ReLU outputs, which otherwise
    /// makes the problem ill-conditioned and L-BFGS slow.
    /// </remarks>
    private sealed class SoftmaxObjective
    {
        private readonly Tensor _features;
        private readonly Tensor _targets;
        private readonly int _featureCount;
        private readonly int _classCount;
        private readonly double _l2Strength;

        public SoftmaxObjective(Tensor features, IReadOnlyList<int> labels, int classCount, double l2Strength)
        {
            Tensor x = features.detach().to(CPU).to_type(ScalarType.Float32);
            Mean = x.mean([0L], type: ScalarType.Float64); // [D]
            _features = x.sub(Mean.to_type(ScalarType.Float32)).contiguous(); // [N, D]
            _targets = tensor(labels.Select(l => (long)l).ToArray()).unsqueeze(1); // [N, 1]
            _featureCount = (int)features.shape[1];
            _classCount = classCount;
            _l2Strength = l2Strength;
        }

        /// <summary>Mean of the features over the examples [D], float64.</summary>
        public Tensor Mean { get; }

        public long ParameterCount => ((long)_featureCount * _classCount) + _classCount;

        /// <summary>Returns the objective at <paramref name="parameters"/> (weights [D, C] row-major, then bias [C]) and its gradient.</summary>
        public (double Value, Tensor Gradient) Evaluate(Tensor parameters)
        {
            using var scope = NewDisposeScope();
            long weightCount = (long)_featureCount * _classCount;
            long count = _features.shape[0];
            Tensor weight = parameters.narrow(0, 0, weightCount).view(_featureCount, _classCount); // [D, C]
            Tensor bias = parameters.narrow(0, weightCount, _classCount); // [C]

            Tensor logits = _features.mm(weight.to_type(ScalarType.Float32)).to_type(ScalarType.Float64).Plus_(bias); // [N, D] @ [D, C] -> [N, C]
            Tensor logSumExp = logits.logsumexp(1); // [N]
            Tensor targetLogits = logits.gather(1, _targets).squeeze(1); // [N]
            double crossEntropy = logSumExp.sub(targetLogits).mean().item<double>();
            double penalty = 0.5 * _l2Strength * weight.mul(weight).sum().item<double>();

            // d(mean cross-entropy)/d(logits) = (softmax - one-hot) / N.
            Tensor residual = logits.softmax(1).scatter_add_(1, _targets, ScalarArguments.Full([count, 1], -1.0, ScalarType.Float64)).DivScalar_(count); // [N, C]
            Tensor weightGradient = _features.t().mm(residual.to_type(ScalarType.Float32)).to_type(ScalarType.Float64).AddScaled_(weight, _l2Strength); // [D, N] @ [N, C] -> [D, C]
            Tensor biasGradient = residual.sum(0L); // [C]
            Tensor gradient = cat([weightGradient.flatten(), biasGradient]);
            return (crossEntropy + penalty, gradient.MoveToOuterDisposeScope());
        }
    }
}
