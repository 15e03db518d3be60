using Clip.Training;
using Xunit;

namespace Clip.Tests.Training;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Defaults_FollowClipPaper_Optimizer()
    {
        var options = new TrainingOptions();

        Assert.Equal(0.9, options.Beta1);
        Assert.Equal(0.98, options.Beta2);
        Assert.Equal(1e-6, options.Epsilon);
        Assert.Equal(0.2, options.WeightDecay);
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.LearningRate))]
    [InlineData(nameof(TrainingOptions.Beta2))]
    [InlineData(nameof(TrainingOptions.GradientCacheChunkSize))]
    public void Init_Rejects_OutOfRangeValue(string property)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => property switch
        {
            nameof(TrainingOptions.BatchSize) => new TrainingOptions { BatchSize = 1 },
            nameof(TrainingOptions.LearningRate) => new TrainingOptions { LearningRate = double.NaN },
            nameof(TrainingOptions.Beta2) => new TrainingOptions { Beta2 = 1.0 },
            _ => new TrainingOptions { GradientCacheChunkSize = 0 },
        });

        Assert.Equal(property, error.ParamName);
    }

    [Fact]
    public void Validate_Rejects_ChunkLargerThanBatch()
    {
        var options = new TrainingOptions { BatchSize = 8, GradientCacheChunkSize = 16 };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("16", error.Message);
    }

    [Fact]
    public void Validate_Rejects_CheckpointIntervalWithoutPath()
    {
        var options = new TrainingOptions { CheckpointEverySteps = 5 };

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
