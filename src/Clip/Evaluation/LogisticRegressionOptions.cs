namespace Clip.Evaluation;

/// <summary>Settings of one multinomial logistic-regression fit.</summary>
/// <remarks>
/// The objective is the mean cross-entropy over the examples plus (<see cref="L2Strength"/> / 2) times the
/// squared Frobenius norm of the weight matrix; the bias is not penalised. scikit-learn's <c>C</c> on n
/// examples corresponds to an L2 strength of 1 / (C n).
/// </remarks>
public sealed record LogisticRegressionOptions
{
    /// <summary>Default iteration limit of L-BFGS.</summary>
    public const int DefaultMaxIterations = 500;

    /// <summary>Default stopping threshold on the largest absolute gradient component.</summary>
    public const double DefaultGradientTolerance = 1e-5;

    /// <summary>Default stopping threshold on the relative decrease of the objective in one iteration.</summary>
    public const double DefaultRelativeFunctionTolerance = 1e-7;

    /// <summary>Default number of correction pairs L-BFGS keeps (10 as in PyTorch's and SciPy's L-BFGS).</summary>
    public const int DefaultHistorySize = 10;

    private readonly double _l2Strength;
    private readonly int _maxIterations = DefaultMaxIterations;
    private readonly double _gradientTolerance = DefaultGradientTolerance;
    private readonly double _relativeFunctionTolerance = DefaultRelativeFunctionTolerance;
    private readonly int _historySize = DefaultHistorySize;

    /// <summary>Weight of the L2 penalty on the weights (lambda); 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double L2Strength
    {
        get => _l2Strength;
        init => _l2Strength = double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(L2Strength), value, "The L2 strength must be a finite number, 0 or more.");
    }

    /// <summary>Iteration limit of L-BFGS; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "The iteration limit must be at least 1.");
    }

    /// <summary>Stopping threshold on the largest absolute gradient component; positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public double GradientTolerance
    {
        get => _gradientTolerance;
        init => _gradientTolerance = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(GradientTolerance), value, "The gradient tolerance must be positive.");
    }

    /// <summary>Stopping threshold on the relative decrease of the objective in one iteration; 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public double RelativeFunctionTolerance
    {
        get => _relativeFunctionTolerance;
        init => _relativeFunctionTolerance = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RelativeFunctionTolerance), value, "The function tolerance must be 0 or more.");
    }

    /// <summary>Number of correction pairs L-BFGS keeps; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int HistorySize
    {
        get => _historySize;
        init => _historySize = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(HistorySize), value, "The history size must be at least 1.");
    }
}
