namespace Clip.Training;

/// <summary>What the data pipeline does with an image that cannot be read or a caption that is empty.</summary>
public enum InvalidSamplePolicy
{
    /// <summary>Drop the sample, count it and log a warning; the batch is filled from the next samples.</summary>
    Skip,

    /// <summary>Stop training with an <see cref="InvalidDataException"/> that names the sample.</summary>
    Throw,
}
