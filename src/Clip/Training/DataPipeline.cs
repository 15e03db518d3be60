using System.Collections.Concurrent;
using SixLabors.ImageSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// Turns a dataset into batches on a background thread: each epoch in its own shuffled order, each batch's images
/// decoded, transformed and preprocessed in parallel, at most a fixed number of batches ahead of the model.
/// </summary>
/// <remarks>
/// Everything random about a sample (its caption, its image transform and augmentation) comes from a generator
/// seeded by the run seed, the epoch and the example index. Each epoch's order comes from a generator seeded by the
/// run seed and the epoch. Batches are therefore the same whatever the thread timing, and a run that resumes from a
/// <see cref="DataPosition"/> sees exactly the batches it would have seen.
/// </remarks>
internal sealed class DataPipeline : IDisposable
{
    private readonly TrainingDataset _dataset;
    private readonly Func<Image, Random, Tensor> _preprocess;
    private readonly int _batchSize;
    private readonly int _seed;
    private readonly int _epochs;
    private readonly int _workers;
    private readonly InvalidSamplePolicy _policy;
    private readonly BlockingCollection<TrainingBatch> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private Exception? _failure;

    /// <summary>
    /// Starts producing batches from <paramref name="start"/> until the end of epoch <paramref name="epochs"/> − 1.
    /// <paramref name="preprocess"/> turns a decoded image into [3, R, R] float32 pixels and is called from worker threads.
    /// </summary>
    public DataPipeline(
        TrainingDataset dataset,
        Func<Image, Random, Tensor> preprocess,
        int batchSize,
        int seed,
        int epochs,
        int workers,
        int prefetchBatches,
        InvalidSamplePolicy policy,
        DataPosition start,
        CancellationToken cancellationToken)
    {
        _dataset = dataset;
        _preprocess = preprocess;
        _batchSize = batchSize;
        _seed = seed;
        _epochs = epochs;
        _workers = workers;
        _policy = policy;
        _queue = new BlockingCollection<TrainingBatch>(prefetchBatches);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Factory.StartNew(() => Produce(start), TaskCreationOptions.LongRunning);
    }

    /// <summary>Seconds the consumer spent blocked in <see cref="TryTake"/>, waiting for data.</summary>
    public double WaitSeconds { get; private set; }

    /// <summary>Returns the shuffled example order of epoch <paramref name="epoch"/>.</summary>
    public static int[] EpochOrder(int count, int seed, int epoch)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        new Random(MixSeed(seed, epoch, -1)).Shuffle(order);
        return order;
    }

    /// <summary>Returns the seed of the random source of example <paramref name="index"/> in epoch <paramref name="epoch"/>.</summary>
    public static int MixSeed(int seed, int epoch, int index)
    {
        // SplitMix64's finaliser spreads the three inputs over all bits; System.HashCode is randomised per process.
        ulong z = ((ulong)(uint)seed << 32) ^ ((ulong)(uint)epoch * 0x9E3779B97F4A7C15UL) ^ (ulong)(uint)index;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    /// <summary>
    /// Waits for the next batch. Returns <see langword="false"/> when the data is exhausted or the run was cancelled;
    /// rethrows a failure of the background thread (for example an invalid sample under <see cref="InvalidSamplePolicy.Throw"/>).
    /// </summary>
    public bool TryTake(out TrainingBatch? batch)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return _queue.TryTake(out batch, Timeout.Infinite, _stop.Token) || ThrowIfFailed();
        }
        catch (OperationCanceledException)
        {
            batch = null;
            return false;
        }
        finally
        {
            WaitSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
    }

    /// <summary>Stops the background thread and frees the batches still queued.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // The producer's failure was already reported through TryTake, or the run is being abandoned.
        }

        while (_queue.TryTake(out TrainingBatch? batch))
        {
            batch.Dispose();
        }

        _queue.Dispose();
        _stop.Dispose();
    }

    private bool ThrowIfFailed()
    {
        if (_failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
        }

        return false;
    }

    private void Produce(DataPosition start)
    {
        try
        {
            int count = _dataset.Examples.Count;
            for (int epoch = start.Epoch; epoch < _epochs; epoch++)
            {
                int[] order = EpochOrder(count, _seed, epoch);
                int cursor = epoch == start.Epoch ? start.Cursor : 0;
                int batches = 0;
                while (count - cursor >= _batchSize)
                {
                    _stop.Token.ThrowIfCancellationRequested();
                    TrainingBatch? batch = DecodeBatch(order, epoch, ref cursor);
                    if (batch is null)
                    {
                        break;
                    }

                    batches++;
                    _queue.Add(batch, _stop.Token);
                }

                if (batches == 0 && cursor == 0)
                {
                    throw new InvalidOperationException($"Epoch {epoch} produced no batch of {_batchSize}: the dataset has {count} examples and too few of them are valid.");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Dispose or the caller's token stopped the run.
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    // Fills one batch from the shuffled order, decoding in parallel and taking further positions in place of skipped
    // samples. Returns null when the epoch runs out of positions first.
    private TrainingBatch? DecodeBatch(int[] order, int epoch, ref int cursor)
    {
        var startPosition = new DataPosition(epoch, cursor);
        var pixels = new List<Tensor>(_batchSize);
        var captions = new List<string>(_batchSize);
        var skipped = new List<string>();
        try
        {
            while (pixels.Count < _batchSize)
            {
                int needed = _batchSize - pixels.Count;
                if (order.Length - cursor < needed)
                {
                    return null;
                }

                var decoded = new (Tensor? Pixels, string Caption, string? Error)[needed];
                int first = cursor;
                try
                {
                    Parallel.For(0, needed, new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = _stop.Token }, i =>
                    {
                        int index = order[first + i];
                        decoded[i] = DecodeSample(_dataset.Examples[index], new Random(MixSeed(_seed, epoch, index)));
                    });
                }
                catch (AggregateException failure)
                {
                    // Report the first sample's own exception rather than the parallel loop's wrapper.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.InnerExceptions[0]);
                }
                cursor += needed;

                foreach ((Tensor? samplePixels, string caption, string? error) in decoded)
                {
                    if (samplePixels is null)
                    {
                        skipped.Add(error!);
                        continue;
                    }

                    pixels.Add(samplePixels);
                    captions.Add(caption);
                }
            }

            Tensor batchPixels = stack(pixels, 0); // B × [3, R, R] -> [B, 3, R, R]
            return new TrainingBatch(batchPixels, captions.ToArray(), startPosition, new DataPosition(epoch, cursor), skipped);
        }
        finally
        {
            foreach (Tensor tensor in pixels)
            {
                tensor.Dispose();
            }
        }
    }

    private (Tensor? Pixels, string Caption, string? Error) DecodeSample(TrainingExample example, Random random)
    {
        string caption = _dataset.CaptionSampler(example, random);
        if (string.IsNullOrWhiteSpace(caption))
        {
            return Invalid(example, "the caption is empty", null);
        }

        Image? image = null;
        try
        {
            image = example.LoadImage();
            if (_dataset.ImageTransform is { } transform)
            {
                Image transformed = transform(image, random);
                if (!ReferenceEquals(transformed, image))
                {
                    image.Dispose();
                    image = transformed;
                }
            }

            // Worker threads have no dispose scope of their own, so intermediates of a user's
            // preprocessing callback would otherwise wait for the finalizer.
            using (NewDisposeScope())
            {
                Tensor pixels = _preprocess(image, random);
                return (pixels.MoveToOuterDisposeScope(), caption, null);
            }
        }
        catch (Exception exception) when (exception is Clip.Imaging.InvalidImageException or IOException or UnknownImageFormatException or InvalidImageContentException or UnauthorizedAccessException or NotSupportedException)
        {
            return Invalid(example, $"the image cannot be read ({exception.GetType().Name}: {exception.Message})", exception);
        }
        finally
        {
            image?.Dispose();
        }
    }

    private (Tensor?, string, string?) Invalid(TrainingExample example, string reason, Exception? cause)
    {
        string message = $"Sample '{example.Name}' is invalid: {reason}.";
        if (_policy == InvalidSamplePolicy.Throw)
        {
            throw new InvalidDataException(message + " Fix or remove it, or set InvalidSamples to Skip.", cause);
        }

        return (null, string.Empty, message);
    }
}
