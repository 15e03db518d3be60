namespace Clip.Evaluation;

/// <summary>
/// Settings of a linear probe: how the L2 strength is swept on a validation split, and how each candidate is fitted.
/// </summary>
/// <remarks>
/// The coarse sweep tries the L2 strengths 10^e for every integer e from <see cref="MaxExponent"/> down to
/// <see cref="MinExponent"/>; the fine sweep then tries <see cref="FineStepsPerDecade"/> - 1 strengths on
/// each side of the best coarse one, evenly spaced in log scale up to the neighbouring powers of ten.
/// </remarks>
public sealed record LinearProbeOptions
{
    /// <summary>Default smallest power of ten of the coarse sweep.</summary>
    public const int DefaultMinExponent = -7;

    /// <summary>Default largest power of ten of the coarse sweep.</summary>
    public const int DefaultMaxExponent = 1;

    /// <summary>Default number of fine steps per decade.</summary>
    public const int DefaultFineStepsPerDecade = 4;

    /// <summary>Default fraction of the training examples held out for validation.</summary>
    public const double DefaultValidationFraction = 0.2;

    private readonly int _minExponent = DefaultMinExponent;
    private readonly int _maxExponent = DefaultMaxExponent;
    private readonly int _fineStepsPerDecade = DefaultFineStepsPerDecade;
    private readonly double _validationFraction = DefaultValidationFraction;
    private readonly LogisticRegressionOptions _fit = new();

    /// <summary>Smallest power of ten of the coarse sweep (the weakest penalty tried).</summary>
    public int MinExponent
    {
        get => _minExponent;
        init => _minExponent = value;
    }

    /// <summary>
    /// Largest power of ten of the coarse sweep (the strongest penalty tried); at least <see cref="MinExponent"/>,
    /// which <see cref="CoarseExponents"/> checks because the two properties may be set in any order.
    /// </summary>
    public int MaxExponent
    {
        get => _maxExponent;
        init => _maxExponent = value;
    }

    /// <summary>Steps per decade of the fine sweep; 1 skips the fine sweep.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int FineStepsPerDecade
    {
        get => _fineStepsPerDecade;
        init => _fineStepsPerDecade = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(FineStepsPerDecade), value, "Use 1 or more steps per decade (1 skips the fine sweep).");
    }

    /// <summary>Fraction of the training examples held out to choose the L2 strength; in (0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not strictly between 0 and 1.</exception>
    public double ValidationFraction
    {
        get => _validationFraction;
        init => _validationFraction = value > 0 && value < 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ValidationFraction), value, "The validation fraction must be strictly between 0 and 1.");
    }

    /// <summary>Seed of the random split into training and validation examples.</summary>
    public int Seed { get; init; }

    /// <summary>Whether features are scaled to unit L2 norm before fitting and predicting (CLIP's protocol on image embeddings).</summary>
    public bool NormalizeFeatures { get; init; } = true;

    /// <summary>
    /// Whether the final classifier is refitted with the chosen L2 strength on all training examples, the
    /// validation split included; otherwise the classifier fitted on the training split is kept.
    /// </summary>
    public bool RefitOnAllTrainingData { get; init; } = true;

    /// <summary>Iteration limit and tolerances of each fit; its <see cref="LogisticRegressionOptions.L2Strength"/> is replaced by the swept values.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public LogisticRegressionOptions Fit
    {
        get => _fit;
        init => _fit = value ?? throw new ArgumentNullException(nameof(Fit));
    }

    /// <summary>Returns the exponents of the coarse sweep, strongest penalty first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxExponent"/> is smaller than <see cref="MinExponent"/>.</exception>
    public IReadOnlyList<int> CoarseExponents()
    {
        if (MaxExponent < MinExponent)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxExponent),
                MaxExponent,
                $"{nameof(MaxExponent)} must be at least {nameof(MinExponent)} ({MinExponent}).");
        }

        return Enumerable.Range(MinExponent, MaxExponent - MinExponent + 1).Reverse().ToArray();
    }
}
