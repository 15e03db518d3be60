using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Build;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void TorchSharp_LoadsAndComputesForwardAndBackward()
    {
        using var scope = NewDisposeScope();
        var weight = tensor(new float[] { 1f, 2f, 3f, 4f }, new long[] { 2, 2 }).requires_grad_();
        var input = tensor(new float[] { 1f, -1f }, new long[] { 1, 2 });

        var output = input.matmul(weight).pow(2).sum();
        output.backward();

        Assert.Equal(8f, output.item<float>(), 5);
        float[] gradient = weight.grad!.data<float>().ToArray();
        Assert.Equal(new float[] { -4f, -4f, 4f, 4f }, gradient);
    }
}
