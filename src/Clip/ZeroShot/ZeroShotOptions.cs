namespace Clip.ZeroShot;

/// <summary>Settings of a <see cref="ZeroShotClassifier"/>.</summary>
public sealed record ZeroShotOptions
{
    /// <summary>The multiplier of cosine similarities before the softmax: 100, the value the reference uses.</summary>
    public const double DefaultLogitScale = 100.0;

    /// <summary>Default number of prompts encoded per text batch.</summary>
    public const int DefaultTextBatchSize = 256;

    /// <summary>Default number of images encoded per image batch.</summary>
    public const int DefaultImageBatchSize = 32;

    /// <summary>Default number of labels returned per image.</summary>
    public const int DefaultTopK = 5;

    private readonly double _logitScale = DefaultLogitScale;
    private readonly int _textBatchSize = DefaultTextBatchSize;
    private readonly int _imageBatchSize = DefaultImageBatchSize;
    private readonly int _topK = DefaultTopK;

    /// <summary>Multiplier of the cosine similarities (the inverse softmax temperature); positive and finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double LogitScale
    {
        get => _logitScale;
        init => _logitScale = double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LogitScale), value, "The logit scale must be a positive finite number (the reference uses 100).");
    }

    /// <summary>Prompts encoded per batch when the class weights are computed; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int TextBatchSize
    {
        get => _textBatchSize;
        init => _textBatchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(TextBatchSize), value, "The text batch size must be at least 1.");
    }

    /// <summary>Images encoded per batch by <c>Classify</c>; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int ImageBatchSize
    {
        get => _imageBatchSize;
        init => _imageBatchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ImageBatchSize), value, "The image batch size must be at least 1.");
    }

    /// <summary>Labels returned per image, most probable first; at least 1, and clamped to the number of classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is smaller than 1.</exception>
    public int TopK
    {
        get => _topK;
        init => _topK = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(TopK), value, "TopK must be at least 1.");
    }
}
