namespace Clip.Training;

/// <summary>
/// Raised when a step's loss or gradient norm is not finite. The model keeps the parameters of the last good step,
/// and the last checkpoint written is left as it was.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the one-based step <paramref name="step"/>.</summary>
    public TrainingDivergedException(int step, string quantity, double value, string? lastCheckpoint)
        : base($"Training stopped at step {step}: the {quantity} is {value}. The parameters were not updated by this step. "
            + (lastCheckpoint is null ? "No checkpoint was written. " : $"The last good checkpoint is '{lastCheckpoint}'. ")
            + "Lower the learning rate, enable gradient clipping or check the data, then resume.")
    {
        Step = step;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>One-based step whose loss or gradient was not finite.</summary>
    public int Step { get; }

    /// <summary>Last checkpoint written before the failure, or <see langword="null"/>.</summary>
    public string? LastCheckpoint { get; }
}
