using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Tests;

[Collection(SerialTorchCollection.Name)]
public sealed class ScalarArgumentsTests
{
    private const int Iterations = 4000;

    [Fact]
    public void Helpers_UnderConstantGarbageCollection_KeepTheirNumbers()
    {
        using var scope = NewDisposeScope();
        var unit = torch.ones(16);
        var accumulator = zeros(16);
        var tokens = tensor(new long[] { 1, 0, 7, 0 });

        using (new GarbageCollectionHammer())
        {
            for (int i = 0; i < Iterations; i++)
            {
                using var step = NewDisposeScope();
                accumulator.Plus_(unit);                                   // +1
                accumulator.AddScaled_(unit, 0.5);                         // +0.5
                accumulator.AddScalar_(ScalarArguments.One);               // +1
                Tensor checks = unit.Plus(unit).MulScalar(3).DivScalar(2); // 3
                Assert.Equal(3f, checks[0].item<float>());
                Assert.Equal(2L, tokens.EqScalar(0).sum().item<long>());
                Assert.Equal(2L, tokens.NeScalar(0).sum().item<long>());
                Assert.Equal(3L, ScalarArguments.Range(0, 3).sum().item<long>());
                Assert.Equal(0.25f, unit.ClampMax(0.25)[0].item<float>());
            }
        }

        Assert.Equal(2.5f * Iterations, accumulator[0].item<float>());
    }
}
