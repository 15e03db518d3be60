using Clip.Training;

namespace Clip.Cli.Demo;

/// <summary>What an emoji demo run produced.</summary>
/// <param name="Options">The settings.</param>
/// <param name="TrainingImages">Seen, training-style images trained on.</param>
/// <param name="Training">The trainer's history.</param>
/// <param name="Scores">E1 to E5.</param>
/// <param name="Examples">Predictions for the grid picture.</param>
/// <param name="DataPreparation">Time spent fetching and preparing the dataset.</param>
/// <param name="Evaluation">Time spent on the zero-shot evaluations.</param>
/// <param name="ModelDirectory">The saved model.</param>
/// <param name="ParameterCount">Parameters of the model.</param>
public sealed record EmojiDemoResult(
    EmojiDemoOptions Options,
    int TrainingImages,
    TrainingResult Training,
    IReadOnlyList<ZeroShotScore> Scores,
    IReadOnlyList<ExamplePrediction> Examples,
    TimeSpan DataPreparation,
    TimeSpan Evaluation,
    string ModelDirectory,
    long ParameterCount)
{
    /// <summary>Mean loss of the first and of the last tenth of the steps (at least one step each).</summary>
    public (double First, double Last) LossFirstAndLastTenth
    {
        get
        {
            IReadOnlyList<TrainingStep> history = Training.History;
            int window = Math.Max(1, history.Count / 10);
            return (history.Take(window).Average(step => step.Loss), history.TakeLast(window).Average(step => step.Loss));
        }
    }
}
