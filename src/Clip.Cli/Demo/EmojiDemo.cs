using System.Diagnostics;
using Clip.Cli.Emoji;
using Clip.Cli.Inference;
using Clip.Text;
using Clip.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace Clip.Cli.Demo;

/// <summary>
/// The end-to-end emoji demo: prepares the dataset, trains a small CLIP from scratch on the seen emoji in the
/// Google style with captions drawn at random, evaluates zero-shot E1 to E5, and saves the model, results,
/// report and pictures.
/// </summary>
public sealed class EmojiDemo
{
    /// <summary>The folder of the saved model inside the output folder.</summary>
    public const string ModelFolderName = "model";

    /// <summary>The style trained on; the other style tests the style shift.</summary>
    public const EmojiStyle TrainingStyle = EmojiStyle.Google;

    /// <summary>Steps of linear learning-rate warm-up, as a share of all steps.</summary>
    private const double WarmupShare = 0.05;

    private readonly NpmClient? _npm;

    /// <summary>Creates the demo.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="npm">The npm client for the data download; <see langword="null"/> uses npm from PATH.</param>
    public EmojiDemo(EmojiDemoOptions options, NpmClient? npm = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _npm = npm;
    }

    /// <summary>The settings.</summary>
    public EmojiDemoOptions Options { get; }

    /// <summary>Runs every stage.</summary>
    /// <param name="dataProgress">Receives data preparation progress, or <see langword="null"/>.</param>
    /// <param name="trainingProgress">Receives the state after every training step, or <see langword="null"/>.</param>
    /// <param name="stage">Receives the name of each stage as it starts, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops data preparation, or training after the current step.</param>
    /// <returns>The scores and where everything was written.</returns>
    public async Task<EmojiDemoResult> RunAsync(
        IProgress<EmojiPreparationProgress>? dataProgress = null,
        IProgress<TrainingProgress>? trainingProgress = null,
        IProgress<string>? stage = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Options.OutputDirectory);
        var clock = Stopwatch.StartNew();
        stage?.Report("Preparing the emoji dataset");
        var datasetOptions = new EmojiDatasetOptions(Options.DataDirectory, Options.CacheDirectory, maxBaseEmoji: Options.MaxBaseEmoji);
        EmojiDatasetResult dataset = await new EmojiDatasetBuilder(datasetOptions, _npm).BuildAsync(dataProgress, cancellationToken).ConfigureAwait(false);
        TimeSpan dataTime = clock.Elapsed;

        List<EmojiRecord> training = dataset.Records.Where(record => record.Style == TrainingStyle && record.Split == EmojiSplit.Seen).ToList();
        stage?.Report($"Training on {training.Count} images");
        torch.manual_seed(Options.Seed);
        var model = ClipModel.Create(Options.Model);
        using var loaded = new LoadedModel(model, Path.Combine(Options.OutputDirectory, ModelFolderName));
        TrainingResult trainingResult = Train(model, loaded.Tokenizer, training, dataset.Directory, trainingProgress, cancellationToken);

        stage?.Report("Saving the model");
        model.SavePretrained(Path.Combine(Options.OutputDirectory, ModelFolderName));

        stage?.Report("Evaluating zero-shot E1 to E5");
        clock.Restart();
        (IReadOnlyList<ZeroShotScore> scores, IReadOnlyList<ExamplePrediction> examples) =
            EmojiEvaluation.Run(loaded, dataset.Records, dataset.Directory, TrainingStyle, Options.ExampleCount);
        TimeSpan evaluationTime = clock.Elapsed;

        long parameters = model.parameters().Sum(parameter => parameter.numel());
        var result = new EmojiDemoResult(Options, training.Count, trainingResult, scores, examples, dataTime, evaluationTime, loaded.Path, parameters);

        stage?.Report("Writing the report and pictures");
        DemoReport.WriteAll(result, dataset.Directory);
        return result;
    }

    private TrainingResult Train(
        ClipModel model,
        ClipTokenizer tokenizer,
        List<EmojiRecord> records,
        string datasetDirectory,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        // Decode every image once: 64 px RGB images of a few thousand emoji take tens of megabytes, and the
        // trainer then only clones them instead of decoding a PNG per draw.
        var byName = new Dictionary<string, EmojiRecord>(StringComparer.Ordinal);
        var examples = new List<TrainingExample>();
        var decoded = new List<Image<Rgb24>>();
        foreach (EmojiRecord record in records)
        {
            Image<Rgb24> image = Image.Load<Rgb24>(Path.Combine(datasetDirectory, record.Image));
            decoded.Add(image);
            byName[record.Image] = record;
            examples.Add(TrainingExample.FromImage(record.Image, () => image.Clone(), [record.Label]));
        }

        try
        {
            var dataset = new TrainingDataset(examples, (example, random) => EmojiCaptions.Sample(byName[example.Name], random));
            var options = new TrainingOptions
            {
                BatchSize = Math.Min(Options.BatchSize, records.Count),
                Epochs = Options.Steps, // enough epochs for MaxSteps to end the run
                MaxSteps = Options.Steps,
                LearningRate = Options.LearningRate,
                WarmupSteps = (int)Math.Round(Options.Steps * WarmupShare),
                Seed = Options.Seed,
                MetricsPath = Path.Combine(Options.OutputDirectory, DemoReport.MetricsFileName),
                Augmentation = Options.Augmentation(),
            };
            File.Delete(options.MetricsPath);
            using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (Options.TrainingTimeLimit is TimeSpan limit)
            {
                timeLimit.CancelAfter(limit);
            }

            TrainingResult result = model.Train(tokenizer, dataset, options, progress: progress, cancellationToken: timeLimit.Token);
            cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
        finally
        {
            foreach (Image<Rgb24> image in decoded)
            {
                image.Dispose();
            }
        }
    }
}
