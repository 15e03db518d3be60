using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>Runs TorchSharp's <see cref="BatchNorm2d"/> layers without the temporary numbers of their own forward.</summary>
/// <remarks>
/// In training mode TorchSharp's BatchNorm forward counts batches with <c>num_batches_tracked.add_(1)</c>, which
/// passes two temporary <see cref="Scalar"/> objects to native code, and a garbage collection can free them during
/// the call (see <see cref="ScalarArguments"/>). This computes the same thing, PyTorch's batch norm with the layer's
/// own parameters, statistics and settings, with the count's numbers held alive.
/// </remarks>
internal static class BatchNorms
{
    /// <summary>Normalises <paramref name="input"/> [B, C, H, W] as <paramref name="norm"/>'s forward does.</summary>
    internal static Tensor Apply(BatchNorm2d norm, Tensor input)
    {
        bool useBatchStatistics = norm.training || norm.running_mean is null || norm.running_var is null;
        double momentum = norm.momentum ?? 0.0;
        if (norm.training && norm.track_running_stats && norm.num_batches_tracked is Tensor count)
        {
            using (no_grad())
            {
                count.add_(ScalarArguments.One, ScalarArguments.One);
            }

            // Without a momentum PyTorch keeps a cumulative average of the batch statistics.
            if (norm.momentum is null)
            {
                momentum = 1.0 / count.item<long>();
            }
        }

        return nn.functional.batch_norm(input, norm.running_mean, norm.running_var, norm.weight, norm.bias, useBatchStatistics, momentum, norm.eps);
    }

    /// <summary>Runs <paramref name="layers"/> in order, batch norms through <see cref="Apply"/>.</summary>
    internal static Tensor ApplySequence(Sequential layers, Tensor input)
    {
        Tensor x = input;
        foreach ((string _, nn.Module layer) in layers.named_children())
        {
            x = layer is BatchNorm2d norm ? Apply(norm, x) : ((nn.Module<Tensor, Tensor>)layer).call(x);
        }

        return x;
    }
}
