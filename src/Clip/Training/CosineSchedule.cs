namespace Clip.Training;

/// <summary>
/// Learning rate per step: a linear warm-up to the peak rate, then a half cosine down to the minimum rate at the
/// last step.
/// </summary>
public sealed class CosineSchedule
{
    /// <summary>Creates the schedule of a run.</summary>
    /// <param name="peakLearningRate">Rate at the end of the warm-up; above 0.</param>
    /// <param name="minLearningRate">Rate the cosine decays to; between 0 and <paramref name="peakLearningRate"/>.</param>
    /// <param name="warmupSteps">Steps of linear warm-up; 0 or more.</param>
    /// <param name="totalSteps">Steps of the whole run; 1 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public CosineSchedule(double peakLearningRate, double minLearningRate, int warmupSteps, int totalSteps)
    {
        if (!(peakLearningRate > 0) || !double.IsFinite(peakLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(peakLearningRate), peakLearningRate, $"The peak learning rate must be a finite number above 0; got {peakLearningRate}.");
        }

        if (!(minLearningRate >= 0) || minLearningRate > peakLearningRate)
        {
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, $"The minimum learning rate must be between 0 and the peak rate {peakLearningRate}; got {minLearningRate}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        PeakLearningRate = peakLearningRate;
        MinLearningRate = minLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    /// <summary>Rate at the end of the warm-up.</summary>
    public double PeakLearningRate { get; }

    /// <summary>Rate at the last step.</summary>
    public double MinLearningRate { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <summary>Steps of the whole run.</summary>
    public int TotalSteps { get; }

    /// <summary>Returns the learning rate of the zero-based step <paramref name="step"/>.</summary>
    /// <remarks>
    /// Warm-up step s (s &lt; W) uses peak · (s + 1) / W, so the first step already moves. After it, with
    /// e = s − W and E = T − W, the rate is min + (peak − min) · (1 + cos(π · e / E)) / 2; steps past the end keep the
    /// minimum.
    /// </remarks>
    public double LearningRateAt(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }

        int decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0)
        {
            return PeakLearningRate;
        }

        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        return MinLearningRate + ((PeakLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
