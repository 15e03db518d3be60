using System.Globalization;
using System.Text.Json;

namespace Clip.Training;

/// <summary>Appends one JSON object per line to a metrics file (JSON Lines); does nothing without a path.</summary>
/// <remarks>
/// Step lines carry <c>"type":"train"</c> and validation lines <c>"type":"val"</c>, so a resumed run appends to the
/// same file and a reader can separate the two.
/// </remarks>
internal sealed class MetricsWriter : IDisposable
{
    private readonly StreamWriter? _writer;

    public MetricsWriter(string? path)
    {
        if (path is null)
        {
            return;
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void WriteStep(TrainingStep step, double samplesPerSecond, double dataWaitFraction) =>
        Write(new Dictionary<string, object?>
        {
            ["type"] = "train",
            ["step"] = step.Step,
            ["epoch"] = step.Epoch,
            ["loss"] = step.Loss,
            ["lr"] = step.LearningRate,
            ["logit_scale"] = step.LogitScale,
            ["grad_norm"] = step.GradientNorm,
            ["samples_per_second"] = samplesPerSecond,
            ["data_wait_fraction"] = dataWaitFraction,
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });

    public void WriteValidation(ValidationMetrics metrics)
    {
        var line = new Dictionary<string, object?>
        {
            ["type"] = "val",
            ["step"] = metrics.Step,
            ["epoch"] = metrics.Epoch,
        };
        foreach ((int k, double recall) in metrics.ImageToTextRecall)
        {
            line[$"image_to_text_r@{k}"] = recall;
        }

        foreach ((int k, double recall) in metrics.TextToImageRecall)
        {
            line[$"text_to_image_r@{k}"] = recall;
        }

        line["zero_shot_accuracy"] = metrics.ZeroShotAccuracy;
        Write(line);
    }

    public void Dispose() => _writer?.Dispose();

    private void Write(Dictionary<string, object?> line) => _writer?.WriteLine(JsonSerializer.Serialize(line));
}
