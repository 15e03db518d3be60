using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

public sealed class CosineScheduleTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void LearningRate_RisesLinearly_DuringWarmup()
    {
        var schedule = new CosineSchedule(1.0, 0.0, warmupSteps: 4, totalSteps: 20);

        Assert.Equal(0.25, schedule.LearningRateAt(0), Tolerance);
        Assert.Equal(0.5, schedule.LearningRateAt(1), Tolerance);
        Assert.Equal(1.0, schedule.LearningRateAt(3), Tolerance);
    }

    [Fact]
    public void LearningRate_FollowsHalfCosine_AfterWarmup()
    {
        var schedule = new CosineSchedule(1.0, 0.1, warmupSteps: 4, totalSteps: 24);

        Assert.Equal(1.0, schedule.LearningRateAt(4), Tolerance);
        Assert.Equal(0.55, schedule.LearningRateAt(14), Tolerance);
        Assert.Equal(0.1, schedule.LearningRateAt(24), Tolerance);
    }

    [Fact]
    public void LearningRate_Decreases_Monotonically()
    {
        var schedule = new CosineSchedule(3e-4, 0, warmupSteps: 0, totalSteps: 100);

        for (int step = 1; step < 100; step++)
        {
            Assert.True(schedule.LearningRateAt(step) <= schedule.LearningRateAt(step - 1), $"step {step}");
        }
    }

    [Fact]
    public void Constructor_Rejects_MinimumAbovePeak()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(1e-4, 1e-3, 0, 10));
    }
}
