using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// A copy of every BatchNorm running statistic of a module, written back when disposed, so that a forward pass in
/// training mode can run without changing them.
/// </summary>
internal sealed class BatchNormStatistics : IDisposable
{
    private static readonly string[] StatisticSuffixes = ["running_mean", "running_var", "num_batches_tracked"];

    private readonly List<(Tensor Live, Tensor Copy)> _saved = [];

    private BatchNormStatistics()
    {
    }

    /// <summary>Copies the running statistics of <paramref name="model"/>.</summary>
    public static BatchNormStatistics Snapshot(nn.Module model)
    {
        var snapshot = new BatchNormStatistics();
        foreach ((string name, Tensor buffer) in model.named_buffers())
        {
            if (StatisticSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)))
            {
                Tensor copy = buffer.detach().clone();
                copy.DetachFromDisposeScope();
                snapshot._saved.Add((buffer, copy));
            }
        }

        return snapshot;
    }

    /// <summary>Writes the copied statistics back and frees the copies.</summary>
    public void Dispose()
    {
        using (no_grad())
        {
            foreach ((Tensor live, Tensor copy) in _saved)
            {
                live.copy_(copy);
                copy.Dispose();
            }
        }

        _saved.Clear();
    }
}
