namespace Clip.Evaluation;

/// <summary>Settings of a few-shot linear probe: how many examples per class, how many random draws, and how each probe is fitted.</summary>
/// <remarks>
/// For each shot count k and each seed, k training examples per class are drawn at random, a linear probe is
/// fitted on them, and its top-1 accuracy is measured on the whole test set. When
/// <see cref="FixedL2Strength"/> is <see langword="null"/>, the L2 strength is swept as in
/// <see cref="LinearProbe"/>, scored on <see cref="ValidationExamplesPerClass"/> further training examples
/// per class that are disjoint from the k drawn ones. Those validation examples are extra labelled data
/// used for model selection only; set <see cref="FixedL2Strength"/> for a protocol that sees k labels per class and no more.
/// </remarks>
public sealed record FewShotOptions
{
    /// <summary>Default number of random draws per shot count.</summary>
    public const int DefaultSeeds = 5;

    /// <summary>Default validation examples per class for the L2 sweep.</summary>
    public const int DefaultValidationExamplesPerClass = 16;

    private readonly IReadOnlyList<int> _shots = [1, 2, 4, 8, 16];
    private readonly int _seeds = DefaultSeeds;
    private readonly int _validationExamplesPerClass = DefaultValidationExamplesPerClass;
    private readonly double? _fixedL2Strength;
    private readonly LinearProbeOptions _probe = new();

    /// <summary>Training examples per class in each probe; each at least 1. Default: 1, 2, 4, 8, 16.</summary>
    /// <exception cref="ArgumentException">The list is empty or holds a value smaller than 1.</exception>
    public IReadOnlyList<int> Shots
    {
        get => _shots;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Shots));
            if (value.Count == 0 || value.Any(k => k < 1))
            {
                throw new ArgumentException($"Shot counts must be a non-empty list of values of at least 1, but were [{string.Join(", ", value)}].", nameof(Shots));
            }

            _shots = value.ToArray();
        }
    }

    /// <summary>Random draws per shot count (seeds 0 to Seeds - 1, offset by <see cref="LinearProbeOptions.Seed"/>); at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int Seeds
    {
        get => _seeds;
        init => _seeds = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Seeds), value, "At least one seed is needed.");
    }

    /// <summary>Validation examples per class for the L2 sweep, drawn apart from the shots; at least 1. Unused with <see cref="FixedL2Strength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int ValidationExamplesPerClass
    {
        get => _validationExamplesPerClass;
        init => _validationExamplesPerClass = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ValidationExamplesPerClass), value, "At least one validation example per class is needed.");
    }

    /// <summary>An L2 strength to use without a sweep, or <see langword="null"/> to sweep on held-out validation examples.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double? FixedL2Strength
    {
        get => _fixedL2Strength;
        init => _fixedL2Strength = value is null || (double.IsFinite(value.Value) && value.Value >= 0)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(FixedL2Strength), value, "The L2 strength must be a finite number, 0 or more.");
    }

    /// <summary>Sweep range, feature normalisation and fit settings of each probe.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public LinearProbeOptions Probe
    {
        get => _probe;
        init => _probe = value ?? throw new ArgumentNullException(nameof(Probe));
    }
}
