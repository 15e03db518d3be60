using Clip.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public sealed class AdamWOptimizerTests
{
    private const int Steps = 20;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.98;
    private const double Epsilon = 1e-6;
    private const double WeightDecay = 0.2;

    // Float32 tolerance for 20 steps of the same update computed by two implementations.
    private const double RelativeTolerance = 1e-5;
    private const double AbsoluteTolerance = 1e-6;

    [Fact]
    public void Step_UnderConstantGarbageCollection_NeverLosesAScalar()
    {
        // Thousands of small steps while finalizers run without pause: a number passed to native code as a
        // temporary Scalar (such as the implicit alpha of add_) was lost here within a few hundred steps.
        using var model = new TwoLayer(seed: 4);
        using var optimizer = new AdamWOptimizer(
            [new AdamWGroup(model.Weights, 1e-3, WeightDecay), new AdamWGroup(model.Biases, 1e-3, weightDecay: 0)],
            Beta1,
            Beta2,
            Epsilon);

        using (new GarbageCollectionHammer())
        {
            for (int step = 0; step < 20000; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();

                // Built without numbers, so that only the optimiser's own Scalars are at stake.
                model.All.Select(parameter => parameter.mul(parameter).sum()).Aggregate((sum, next) => sum.Plus(next)).backward();
                optimizer.Step();
            }
        }

        Assert.All(model.Weights.Concat(model.Biases), parameter => Assert.True(parameter.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Step_MatchesTorchSharpAdamW_WithDecayedAndNotDecayedGroups()
    {
        using var ours = new TwoLayer(seed: 3);
        using var reference = new TwoLayer(seed: 3);
        using var optimizer = new AdamWOptimizer(
            [new AdamWGroup(ours.Weights, LearningRateAt(0), WeightDecay), new AdamWGroup(ours.Biases, LearningRateAt(0), weightDecay: 0)],
            Beta1,
            Beta2,
            Epsilon);
        using var referenceOptimizer = optim.AdamW(
            [new AdamW.ParamGroup(reference.Weights, LearningRateAt(0), Beta1, Beta2, Epsilon, WeightDecay), new AdamW.ParamGroup(reference.Biases, LearningRateAt(0), Beta1, Beta2, Epsilon, weight_decay: 0)],
            LearningRateAt(0),
            Beta1,
            Beta2,
            Epsilon,
            WeightDecay);

        for (int step = 0; step < Steps; step++)
        {
            foreach (AdamWGroup group in optimizer.ParamGroups)
            {
                group.LearningRate = LearningRateAt(step);
            }

            foreach (optim.ILearningRateController group in referenceOptimizer.ParamGroups)
            {
                group.LearningRate = LearningRateAt(step);
            }

            optimizer.ZeroGrad();
            ours.Backward(seed: step);
            optimizer.Step();
            referenceOptimizer.zero_grad();
            reference.Backward(seed: step);
            referenceOptimizer.step();
        }

        foreach ((Parameter actual, Parameter expected) in ours.All.Zip(reference.All))
        {
            Assert.True(actual.allclose(expected, RelativeTolerance, AbsoluteTolerance), $"max difference {(actual - expected).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Step_ChangesParameters_BeyondTolerance()
    {
        // Guards the comparison above: the steps must move the weights by far more than the tolerance.
        using var model = new TwoLayer(seed: 3);
        using var initial = new TwoLayer(seed: 3);
        using var optimizer = new AdamWOptimizer([new AdamWGroup(model.All, LearningRateAt(0), WeightDecay)], Beta1, Beta2, Epsilon);

        for (int step = 0; step < Steps; step++)
        {
            optimizer.ZeroGrad();
            model.Backward(seed: step);
            optimizer.Step();
        }

        Assert.False(model.All[0].allclose(initial.All[0], RelativeTolerance, AbsoluteTolerance));
    }

    [Fact]
    public void Load_ResumesExactly_AfterSave()
    {
        using var straight = new TwoLayer(seed: 4);
        using var resumed = new TwoLayer(seed: 4);
        using var straightOptimizer = Create(straight);
        using var stream = new MemoryStream();
        using (var firstHalf = Create(resumed))
        {
            Run(resumed, firstHalf, 0, Steps / 2);
            firstHalf.Save(new BinaryWriter(stream));
        }

        stream.Position = 0;
        using var secondHalf = Create(resumed);
        secondHalf.Load(new BinaryReader(stream));

        Run(straight, straightOptimizer, 0, Steps);
        Run(resumed, secondHalf, Steps / 2, Steps);

        foreach ((Parameter actual, Parameter expected) in resumed.All.Zip(straight.All))
        {
            Assert.True(actual.eq(expected).all().item<bool>());
        }
    }

    [Fact]
    public void Load_Rejects_StateOfOtherGroupLayout()
    {
        using var model = new TwoLayer(seed: 4);
        using var twoGroups = Create(model);
        using var oneGroup = new AdamWOptimizer([new AdamWGroup(model.All, 1e-3, WeightDecay)], Beta1, Beta2, Epsilon);
        using var stream = new MemoryStream();
        twoGroups.Save(new BinaryWriter(stream));
        stream.Position = 0;

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => oneGroup.Load(new BinaryReader(stream)));

        Assert.Contains("2 parameter groups", error.Message);
    }

    [Fact]
    public void Step_LeavesNoLiveTensors_WithoutGarbageCollection()
    {
        using var model = new TwoLayer(seed: 5);
        using var optimizer = Create(model);
        Run(model, optimizer, 0, 1);
        long before = Tensor.TotalCount;

        Run(model, optimizer, 1, Steps);

        Assert.Equal(before, Tensor.TotalCount);
    }

    // A schedule that changes every step, so that the test also covers per-step learning rates.
    private static double LearningRateAt(int step) => 1e-2 * (1 + Math.Cos(step * 0.3)) / 2 + 1e-4;

    private static AdamWOptimizer Create(TwoLayer model) =>
        new([new AdamWGroup(model.Weights, 1e-3, WeightDecay), new AdamWGroup(model.Biases, 1e-3, weightDecay: 0)], Beta1, Beta2, Epsilon);

    private static void Run(TwoLayer model, AdamWOptimizer optimizer, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            foreach (AdamWGroup group in optimizer.ParamGroups)
            {
                group.LearningRate = LearningRateAt(step);
            }

            optimizer.ZeroGrad();
            model.Backward(seed: step);
            optimizer.Step();
        }
    }

    /// <summary>Two linear layers with a tanh between them; weights are decayed, biases are not.</summary>
    private sealed class TwoLayer : IDisposable
    {
        private const int Inputs = 6;
        private const int Hidden = 5;
        private const int Outputs = 3;
        private const int Batch = 4;

        public TwoLayer(int seed)
        {
            torch.manual_seed(seed);
            Weights = [nn.Parameter(torch.randn(Hidden, Inputs)), nn.Parameter(torch.randn(Outputs, Hidden))];
            Biases = [nn.Parameter(torch.randn(Hidden) * 0.1), nn.Parameter(torch.randn(Outputs) * 0.1)];
        }

        public Parameter[] Weights { get; }

        public Parameter[] Biases { get; }

        public Parameter[] All => [.. Weights, .. Biases];

        /// <summary>Computes a squared-error loss on a batch drawn from <paramref name="seed"/> and back-propagates it.</summary>
        public void Backward(int seed)
        {
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)seed);
            Tensor input = torch.randn([Batch, Inputs], generator: generator);
            Tensor target = torch.randn([Batch, Outputs], generator: generator);
            Tensor hidden = torch.tanh(input.matmul(Weights[0].t()) + Biases[0]); // [B, I] @ [I, H] -> [B, H]
            Tensor output = hidden.matmul(Weights[1].t()) + Biases[1]; // [B, H] @ [H, O] -> [B, O]
            (output - target).pow(2).mean().backward();
            generator.Dispose();
        }

        public void Dispose()
        {
            foreach (Parameter parameter in All)
            {
                parameter.Dispose();
            }
        }
    }
}
