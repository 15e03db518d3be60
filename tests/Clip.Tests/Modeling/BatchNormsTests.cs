using Clip.Modeling;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class BatchNormsTests
{
    private static BatchNorm2d CreateNorm(double? momentum)
    {
        var norm = nn.BatchNorm2d(4);
        norm.momentum = momentum;
        using (no_grad())
        {
            norm.weight!.copy_(tensor(new[] { 1.0f, 2.0f, 0.5f, -1.0f }));
            norm.bias!.copy_(tensor(new[] { 0.0f, 0.1f, -0.2f, 0.3f }));
        }

        return norm;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(null)]
    public void Apply_MatchesModuleForward_InTrainingAndEval(double? momentum)
    {
        using var scope = NewDisposeScope();
        using BatchNorm2d reference = CreateNorm(momentum);
        using BatchNorm2d ours = CreateNorm(momentum);
        manual_seed(2);
        var batches = Enumerable.Range(0, 3).Select(_ => randn(5, 4, 3, 3)).ToArray();

        foreach (Tensor batch in batches)
        {
            Tensor expected = reference.call(batch);
            Tensor actual = BatchNorms.Apply(ours, batch);
            Assert.True(actual.allclose(expected, rtol: 1e-6, atol: 1e-6), "training-mode outputs differ");
        }

        Assert.True(ours.running_mean!.allclose(reference.running_mean!, rtol: 1e-6, atol: 1e-7), "running means differ");
        Assert.True(ours.running_var!.allclose(reference.running_var!, rtol: 1e-6, atol: 1e-7), "running variances differ");
        Assert.Equal(reference.num_batches_tracked!.item<long>(), ours.num_batches_tracked!.item<long>());
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());

        reference.eval();
        ours.eval();
        Assert.True(BatchNorms.Apply(ours, batches[0]).allclose(reference.call(batches[0]), rtol: 1e-6, atol: 1e-6), "eval-mode outputs differ");
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
    }
}
