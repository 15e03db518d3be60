using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

public sealed partial class ClipTrainer
{
    /// <summary>The state of one <c>Train</c> call: optimiser, schedule, counters and the loop.</summary>
    private sealed class TrainingRun
    {
        private readonly ClipTrainer _trainer;
        private readonly TrainingOptions _options;
        private readonly TrainingDataset _training;
        private readonly TrainingDataset? _validation;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly CancellationToken _cancellationToken;
        private readonly ILogger _logger;
        private readonly List<TrainingStep> _history = [];
        private readonly List<ValidationMetrics> _validations = [];
        private readonly Stopwatch _clock = new();

        private int _step;
        private DataPosition _position;
        private long _skipped;
        private string? _lastCheckpoint;
        private int _stepsThisCall;
        private int _lastCheckpointStep = -1;

        public TrainingRun(ClipTrainer trainer, TrainingDataset training, TrainingDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            _trainer = trainer;
            _options = trainer.Options;
            _training = training;
            _validation = validation;
            _progress = progress;
            _cancellationToken = cancellationToken;
            _logger = trainer._logger;
        }

        private TrainableClip Model => _trainer._model;

        public TrainingResult Execute()
        {
            _clock.Start();
            ParameterGroups groups = ParameterGroups.Create(Model.Module, _options.FineTuning);
            groups.ApplyRequiresGrad(Model.Module);
            Parameter[] trained = groups.Decayed.Concat(groups.NotDecayed).Select(p => p.Parameter).ToArray();
            using AdamWOptimizer optimizer = groups.CreateOptimizer(_options);

            int stepsPerEpoch = _training.Examples.Count / _options.BatchSize;
            int totalSteps = _options.MaxSteps ?? (_options.Epochs * stepsPerEpoch);
            var schedule = new CosineSchedule(_options.LearningRate, _options.MinLearningRate, _options.WarmupSteps, totalSteps);

            if (_options.ResumeFrom is string resumeFrom)
            {
                Resume(resumeFrom, optimizer);
            }

            LogStart(groups, totalSteps, stepsPerEpoch);
            using var metrics = new MetricsWriter(_options.MetricsPath);
            using var pipeline = new DataPipeline(
                _training,
                _trainer._trainPreprocess,
                _options.BatchSize,
                _options.Seed,
                _options.MaxSteps is null ? _options.Epochs : int.MaxValue,
                _options.DataWorkers,
                _options.PrefetchBatches,
                _options.InvalidSamples,
                _position,
                _cancellationToken);

            TrainingStopReason reason = TrainingStopReason.Completed;
            while (_step < totalSteps)
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    reason = TrainingStopReason.Cancelled;
                    break;
                }

                if (!pipeline.TryTake(out TrainingBatch? batch))
                {
                    reason = _cancellationToken.IsCancellationRequested ? TrainingStopReason.Cancelled : TrainingStopReason.Completed;
                    break;
                }

                using (batch)
                {
                    TrainingStep record = RunStep(batch!, optimizer, trained, schedule.LearningRateAt(_step));
                    AfterStep(record, batch!, totalSteps, pipeline, metrics, optimizer);
                }
            }

            if (_options.CheckpointPath is string checkpointPath && _lastCheckpointStep != _step)
            {
                WriteCheckpoint(checkpointPath, optimizer);
            }

            // Leave the model ready for inference, where the encoders run without building a graph.
            Model.Module.eval();
            _clock.Stop();
            double waitFraction = DataWaitFraction(pipeline);
            _logger.LogInformation(
                "Training {Reason} at step {Step}/{Total}: {Skipped} samples skipped, {Wait:P1} of the time spent waiting for data, {Elapsed}.",
                reason == TrainingStopReason.Completed ? "completed" : "cancelled", _step, totalSteps, _skipped, waitFraction, _clock.Elapsed);
            return new TrainingResult(reason, _step, _history, _validations, _skipped, waitFraction, _clock.Elapsed, _lastCheckpoint);
        }

        private TrainingStep RunStep(TrainingBatch batch, AdamWOptimizer optimizer, Parameter[] trained, double learningRate)
        {
            using var scope = NewDisposeScope();
            Model.SetTrainingMode(_options.FineTuning);
            foreach (AdamWGroup group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            optimizer.ZeroGrad();
            Tensor tokens = TrimPadding(_trainer._tokenize(batch.Captions));
            double loss = GradientCache.Accumulate(Model.Module, Model.EncodeImage, Model.EncodeText, Model.LogitScale, batch.Pixels, tokens, _options.GradientCacheChunkSize);
            int stepNumber = _step + 1;
            if (!double.IsFinite(loss))
            {
                throw new TrainingDivergedException(stepNumber, "loss", loss, _lastCheckpoint);
            }

            double? gradientNorm = null;
            if (_options.MaxGradientNorm is double maxNorm)
            {
                gradientNorm = nn.utils.clip_grad_norm_(trained, maxNorm);
                if (!double.IsFinite(gradientNorm.Value))
                {
                    throw new TrainingDivergedException(stepNumber, "gradient norm", gradientNorm.Value, _lastCheckpoint);
                }
            }

            optimizer.Step();
            using (no_grad())
            {
                // An explicit Scalar, disposed after the call: an implicit temporary could be finalized while the native call reads it.
                using Scalar maxLogitScale = MaxLogitScale.ToScalar();
                Model.LogitScale.clamp_(max: maxLogitScale);
            }

            return new TrainingStep(stepNumber, batch.Start.Epoch, loss, learningRate, LogitScaleValue(Model.LogitScale), gradientNorm);
        }

        private void AfterStep(TrainingStep record, TrainingBatch batch, int totalSteps, DataPipeline pipeline, MetricsWriter metrics, AdamWOptimizer optimizer)
        {
            _step = record.Step;
            _stepsThisCall++;
            _history.Add(record);
            ReportSkipped(batch.Skipped);

            bool epochEnded = _training.Examples.Count - batch.Next.Cursor < _options.BatchSize;
            _position = epochEnded ? new DataPosition(batch.Next.Epoch + 1, 0) : batch.Next;

            double seconds = _clock.Elapsed.TotalSeconds;
            double samplesPerSecond = _stepsThisCall * _options.BatchSize / seconds;
            double waitFraction = DataWaitFraction(pipeline);
            TimeSpan remaining = TimeSpan.FromSeconds((totalSteps - _step) * seconds / _stepsThisCall);
            _progress?.Report(new TrainingProgress(_step, totalSteps, record.Epoch, record.Loss, record.LearningRate, record.LogitScale, samplesPerSecond, remaining, waitFraction));
            metrics.WriteStep(record, samplesPerSecond, waitFraction);
            if (_step % _options.LogEverySteps == 0 || _step == totalSteps)
            {
                _logger.LogInformation(
                    "step {Step}/{Total} epoch {Epoch} loss {Loss:F4} lr {LearningRate:E3} logit scale {LogitScale:F2} {SamplesPerSecond:F1} samples/s, data wait {Wait:P0}, ETA {Remaining}",
                    _step, totalSteps, record.Epoch, record.Loss, record.LearningRate, record.LogitScale, samplesPerSecond, waitFraction, remaining.ToString(@"hh\:mm\:ss"));
            }

            if (_options.CollectGarbageEverySteps > 0 && _step % _options.CollectGarbageEverySteps == 0)
            {
                // Optional since the optimiser stopped leaving tensors to the finalizer; other finalizable wrappers are still collected here.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            if (epochEnded && _validation is not null)
            {
                Validate(record.Epoch, metrics);
            }

            if (_options.CheckpointEverySteps is int every && _step % every == 0 && _options.CheckpointPath is string path)
            {
                WriteCheckpoint(path, optimizer);
            }
        }

        private void Validate(int epoch, MetricsWriter metrics)
        {
            ValidationMetrics result = RetrievalValidation.Run(
                Model, _validation!, _trainer._evalPreprocess, _trainer._tokenize, _options.BatchSize, _options.DataWorkers, _options.RecallAtK, epoch, _step);
            _validations.Add(result);
            metrics.WriteValidation(result);
            _logger.LogInformation(
                "validation after epoch {Epoch}: image->text {ImageToText}, text->image {TextToImage}, zero-shot accuracy {ZeroShot}",
                epoch,
                string.Join(" ", result.ImageToTextRecall.Select(p => $"R@{p.Key} {p.Value:P1}")),
                string.Join(" ", result.TextToImageRecall.Select(p => $"R@{p.Key} {p.Value:P1}")),
                result.ZeroShotAccuracy is double accuracy ? accuracy.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "n/a");
        }

        private void ReportSkipped(IReadOnlyList<string> skipped)
        {
            foreach (string message in skipped)
            {
                _skipped++;
                if (_skipped <= SkipWarningsInFull || _skipped % SkipWarningInterval == 0)
                {
                    _logger.LogWarning("{Message} Skipped so far: {Skipped}.", message, _skipped);
                }
            }
        }

        private void Resume(string path, AdamWOptimizer optimizer)
        {
            TrainingState state = TrainingCheckpoint.Load(path, Model.Module, optimizer);
            RequireSame(state.Seed, _options.Seed, nameof(TrainingOptions.Seed), path);
            RequireSame(state.BatchSize, _options.BatchSize, nameof(TrainingOptions.BatchSize), path);
            RequireSame(state.ExampleCount, _training.Examples.Count, "number of training examples", path);
            RequireSame((int)state.FineTuning, (int)_options.FineTuning, nameof(TrainingOptions.FineTuning), path);
            _step = state.Step;
            _position = new DataPosition(state.Epoch, state.Cursor);
            _skipped = state.SkippedSamples;
            _lastCheckpoint = path;
            _lastCheckpointStep = _step;
            _logger.LogInformation("Resumed from '{Path}' at step {Step}, epoch {Epoch}, position {Cursor}.", path, state.Step, state.Epoch, state.Cursor);
        }

        private static void RequireSame(int saved, int current, string name, string path)
        {
            if (saved != current)
            {
                throw new InvalidOperationException($"Cannot resume from '{path}': it was written with {name} {saved}, but this run has {current}. Resume with the same value.");
            }
        }

        private void WriteCheckpoint(string path, AdamWOptimizer optimizer)
        {
            var state = new TrainingState(_step, _position.Epoch, _position.Cursor, _skipped, _options.Seed, _options.BatchSize, _training.Examples.Count, _options.FineTuning);
            TrainingCheckpoint.Save(path, state, Model.Module, optimizer);
            _lastCheckpoint = path;
            _lastCheckpointStep = _step;
            _logger.LogInformation("Checkpoint written to '{Path}' at step {Step}.", path, _step);
        }

        private void LogStart(ParameterGroups groups, int totalSteps, int stepsPerEpoch)
        {
            long total = Model.Module.parameters().Sum(p => p.numel());
            _logger.LogInformation(
                "Training CLIP: {Total} parameters, {Trained} trained ({Mode}); {Examples} examples, batch {Batch}, {StepsPerEpoch} steps per epoch, {TotalSteps} steps; "
                + "AdamW lr {LearningRate:E2} (min {MinLearningRate:E2}, warm-up {Warmup} steps), weight decay {WeightDecay} on {Decayed} tensors, betas ({Beta1}, {Beta2}), eps {Epsilon:E0}; "
                + "gradient clipping {MaxNorm}; gradient cache chunk {Chunk}; seed {Seed}; {Workers} data workers.",
                total, groups.TrainedValues, _options.FineTuning, _training.Examples.Count, _options.BatchSize, stepsPerEpoch, totalSteps,
                _options.LearningRate, _options.MinLearningRate, _options.WarmupSteps, _options.WeightDecay, groups.Decayed.Count, _options.Beta1, _options.Beta2, _options.Epsilon,
                _options.MaxGradientNorm?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off",
                _options.GradientCacheChunkSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off (whole batch)",
                _options.Seed, _options.DataWorkers);
        }

        /// <summary>
        /// Cuts the padding columns that no row of the batch uses, so the text tower only runs over the longest
        /// caption. Under the causal mask a position sees only earlier ones, so the end-of-text features and every
        /// gradient are the same as over the full context. Short captions then cost a fraction of the full width.
        /// </summary>
        private static Tensor TrimPadding(Tensor tokens)
        {
            // The tokenizer pads each row with id 0 after its end-of-text token.
            const long PaddingId = 0;
            long length = tokens.shape[1];
            Tensor positions = ScalarArguments.Range(1, length + 1, tokens.device); // [L]: 1-based column numbers
            long used = tokens.NeScalar(PaddingId).mul(positions).max().item<long>(); // [B, L] -> last used column, 1-based
            if (used >= length || used == 0)
            {
                return tokens;
            }

            return tokens.narrow(1, 0, used); // [B, L] -> [B, used]
        }

        private double DataWaitFraction(DataPipeline pipeline) =>
            _clock.Elapsed.TotalSeconds > 0 ? Math.Min(1, pipeline.WaitSeconds / _clock.Elapsed.TotalSeconds) : 0;
    }
}
