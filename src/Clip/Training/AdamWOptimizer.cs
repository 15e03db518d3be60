using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// AdamW with decoupled weight decay, computed as PyTorch's <c>torch.optim.AdamW</c> does without AMSGrad:
/// <c>p *= 1 - lr·wd</c>, <c>m = β₁m + (1 - β₁)g</c>, <c>v = β₂v + (1 - β₂)g²</c>,
/// <c>p -= lr / (1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)</c>, with a learning rate and weight decay per parameter group.
/// </summary>
/// <remarks>
/// The trainer uses this class instead of TorchSharp's <c>AdamW</c> (0.107) because that step converts doubles to
/// temporary <see cref="Scalar"/> objects and passes only their native handles on, so the finalizer thread may free a
/// <see cref="Scalar"/> while the native call still reads it. Here every <see cref="Scalar"/> is created explicitly
/// and disposed by <c>using</c> after the call that reads it, and every temporary tensor of a step is disposed by a
/// dispose scope, so a step leaves nothing for the finalizer. The moment tensors and step counts are owned by this
/// object and freed by <see cref="Dispose"/>.
/// </remarks>
internal sealed class AdamWOptimizer : IDisposable
{
    private readonly AdamWGroup[] _groups;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private bool _disposed;

    /// <summary>Creates the optimiser with zero moment tensors and every step count at 0.</summary>
    /// <param name="groups">The parameter groups, each with its own parameters, learning rate and weight decay.</param>
    /// <param name="beta1">First-moment decay β₁, in [0, 1).</param>
    /// <param name="beta2">Second-moment decay β₂, in [0, 1).</param>
    /// <param name="epsilon">Term added to the denominator, at least 0.</param>
    public AdamWOptimizer(IEnumerable<AdamWGroup> groups, double beta1, double beta2, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(beta1 >= 0 && beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"{nameof(beta1)} must be in [0, 1).");
        }

        if (!(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"{nameof(beta2)} must be in [0, 1).");
        }

        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{nameof(epsilon)} must be a finite number of at least 0.");
        }

        _groups = groups.ToArray();
        if (_groups.Length == 0)
        {
            throw new ArgumentException("The optimiser needs at least one parameter group.", nameof(groups));
        }

        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
    }

    /// <summary>The parameter groups, in the order given to the constructor.</summary>
    public IReadOnlyList<AdamWGroup> ParamGroups => _groups;

    /// <summary>Sets the gradient of every parameter to zero. Parameters without a gradient are left as they are.</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        foreach (AdamWGroup group in _groups)
        {
            foreach (AdamWParameterState state in group.States)
            {
                state.Parameter.grad?.zero_();
            }
        }
    }

    /// <summary>
    /// Updates every parameter that has a gradient by one AdamW step. Parameters without a gradient keep their value and
    /// step count, as in PyTorch.
    /// </summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using Scalar beta1 = _beta1.ToScalar();
        using Scalar beta2 = _beta2.ToScalar();
        using Scalar oneMinusBeta1 = (1 - _beta1).ToScalar();
        using Scalar oneMinusBeta2 = (1 - _beta2).ToScalar();
        using Scalar epsilon = _epsilon.ToScalar();
        foreach (AdamWGroup group in _groups)
        {
            double learningRate = group.LearningRate;
            using Scalar decayFactor = (1 - (learningRate * group.WeightDecay)).ToScalar();
            foreach (AdamWParameterState state in group.States)
            {
                Tensor? gradient = state.Parameter.grad;
                if (gradient is null)
                {
                    continue;
                }

                state.Step++;
                double biasCorrection1 = 1 - Math.Pow(_beta1, state.Step);
                double biasCorrection2 = 1 - Math.Pow(_beta2, state.Step);

                if (group.WeightDecay != 0)
                {
                    state.Parameter.mul_(decayFactor);
                }

                state.ExpAvg.mul_(beta1).add_(gradient, alpha: oneMinusBeta1);
                state.ExpAvgSq.mul_(beta2).addcmul_(gradient, gradient, value: oneMinusBeta2);

                using Scalar biasCorrection2Sqrt = Math.Sqrt(biasCorrection2).ToScalar();
                using Scalar negativeStepSize = (-learningRate / biasCorrection1).ToScalar();
                Tensor denominator = state.ExpAvgSq.sqrt().div_(biasCorrection2Sqrt).AddScalar_(epsilon);
                state.Parameter.addcdiv_(state.ExpAvg, denominator, value: negativeStepSize);
            }
        }
    }

    /// <summary>
    /// Writes the step count and both moment tensors of every parameter, group by group, in this class's own binary
    /// format. Learning rates and weight decays are not written: the trainer sets them from its options and schedule.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        writer.Write(_groups.Length);
        foreach (AdamWGroup group in _groups)
        {
            writer.Write(group.States.Count);
            foreach (AdamWParameterState state in group.States)
            {
                writer.Write(state.Step);
                state.ExpAvg.Save(writer);
                state.ExpAvgSq.Save(writer);
            }
        }
    }

    /// <summary>Reads the state written by <see cref="Save"/> into this optimiser, whose groups must have the same layout.</summary>
    /// <exception cref="InvalidDataException">The saved groups or parameter counts differ from this optimiser's.</exception>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int groupCount = reader.ReadInt32();
        if (groupCount != _groups.Length)
        {
            throw new InvalidDataException($"The saved optimiser state has {groupCount} parameter groups, but this optimiser has {_groups.Length}.");
        }

        for (int g = 0; g < _groups.Length; g++)
        {
            IReadOnlyList<AdamWParameterState> states = _groups[g].States;
            int parameterCount = reader.ReadInt32();
            if (parameterCount != states.Count)
            {
                throw new InvalidDataException($"The saved optimiser state has {parameterCount} parameters in group {g}, but this optimiser has {states.Count}.");
            }

            foreach (AdamWParameterState state in states)
            {
                long step = reader.ReadInt64();
                if (step < 0)
                {
                    throw new InvalidDataException($"The saved optimiser state has a negative step count, {step}.");
                }

                // Tensor.Load checks the saved shape and element type against the existing tensor and copies in place.
                state.ExpAvg.Load(reader);
                state.ExpAvgSq.Load(reader);
                state.Step = step;
            }
        }
    }

    /// <summary>Frees the moment tensors. The parameters belong to the model and stay alive.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (AdamWGroup group in _groups)
        {
            foreach (AdamWParameterState state in group.States)
            {
                state.Dispose();
            }
        }
    }
}
