using TorchSharp.Modules;

namespace Clip.Training;

/// <summary>A parameter group of <see cref="AdamWOptimizer"/>: its parameters, learning rate and weight decay.</summary>
internal sealed class AdamWGroup
{
    private double _learningRate;

    /// <summary>Creates a group whose moment tensors are zeros shaped like each parameter.</summary>
    /// <param name="parameters">The parameters updated with this group's settings.</param>
    /// <param name="learningRate">Learning rate, at least 0.</param>
    /// <param name="weightDecay">Decoupled weight decay, at least 0; 0 for none.</param>
    public AdamWGroup(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(weightDecay >= 0 && double.IsFinite(weightDecay)))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"{nameof(weightDecay)} must be a finite number of at least 0.");
        }

        LearningRate = learningRate;
        WeightDecay = weightDecay;
        States = parameters.Select(p => new AdamWParameterState(p)).ToArray();
    }

    /// <summary>Learning rate of the next step, at least 0. The trainer sets it from its schedule before each step.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"{nameof(LearningRate)} must be a finite number of at least 0.");
    }

    /// <summary>Decoupled weight decay of this group, or 0 for none.</summary>
    public double WeightDecay { get; }

    /// <summary>The parameters of this group with their optimiser state.</summary>
    public IReadOnlyList<AdamWParameterState> States { get; }
}
