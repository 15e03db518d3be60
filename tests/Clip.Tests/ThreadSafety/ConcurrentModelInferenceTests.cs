using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.ThreadSafety;

/// <summary>
/// A loaded model in eval mode is documented as shareable for inference: parallel callers must get the
/// embeddings that sequential calls produce.
/// </summary>
public sealed class ConcurrentModelInferenceTests
{
    /// <summary>Distinct inputs; each is encoded several times by parallel workers.</summary>
    private const int InputCount = 6;

    /// <summary>Encodings per input in the parallel phase.</summary>
    private const int RepeatsPerInput = 4;

    /// <summary>Parallel callers; more than the CI machine's two cores, so calls interleave.</summary>
    private const int Callers = 4;

    /// <summary>Start-of-text id of the OpenAI vocabulary.</summary>
    private const long StartOfTextId = 49406;

    private const int Seed = 20211;

    [Theory]
    [InlineData(ClipPresets.VitTiny)]
    [InlineData(ClipPresets.ResNetTiny)]
    public void EncodeImage_ParallelCallers_MatchSequentialResults(string preset)
    {
        using var model = CreateEvalModel(preset);
        int resolution = model.Config.Vision.ImageResolution;
        float[][] inputs = CreateInputs(InputCount, 2 * 3 * resolution * resolution);
        Func<float[], float[]> encode = values =>
        {
            using var scope = NewDisposeScope();
            using var features = model.EncodeImage(tensor(values, [2, 3, resolution, resolution]), normalize: true);
            return features.data<float>().ToArray();
        };

        AssertParallelMatchesSequential(inputs, encode);
    }

    [Theory]
    [InlineData(ClipPresets.VitTiny)]
    [InlineData(ClipPresets.ResNetTiny)]
    public void EncodeText_ParallelCallers_MatchSequentialResults(string preset)
    {
        using var model = CreateEvalModel(preset);
        TextConfig text = model.Config.Text;
        long[][] inputs = Enumerable.Range(0, InputCount).Select(i => CreateTokenRow(text, i)).ToArray();
        Func<long[], float[]> encode = row =>
        {
            using var scope = NewDisposeScope();
            using var features = model.EncodeText(tensor(row, [1, text.ContextLength]), normalize: true);
            return features.data<float>().ToArray();
        };

        AssertParallelMatchesSequential(inputs, encode);
    }

    [Fact]
    public void Forward_ParallelCallers_MatchSequentialResults()
    {
        using var model = CreateEvalModel(ClipPresets.VitTiny);
        int resolution = model.Config.Vision.ImageResolution;
        TextConfig text = model.Config.Text;
        float[][] inputs = CreateInputs(InputCount, 2 * 3 * resolution * resolution);
        long[] tokenRows = [.. CreateTokenRow(text, 0), .. CreateTokenRow(text, 1)];
        Func<float[], float[]> logits = values =>
        {
            using var scope = NewDisposeScope();
            var (logitsPerImage, _) = model.forward(tensor(values, [2, 3, resolution, resolution]), tensor(tokenRows, [2, text.ContextLength]));
            return logitsPerImage.data<float>().ToArray();
        };

        AssertParallelMatchesSequential(inputs, logits);
    }

    /// <summary>
    /// Encodes every input once sequentially, then <see cref="RepeatsPerInput"/> times from
    /// <see cref="Callers"/> threads in an interleaved order, and requires identical vectors.
    /// </summary>
    internal static void AssertParallelMatchesSequential<TInput>(TInput[] inputs, Func<TInput, float[]> encode)
    {
        float[][] sequential = inputs.Select(encode).ToArray();

        var parallel = new float[inputs.Length * RepeatsPerInput][];
        Parallel.For(
            0,
            parallel.Length,
            new ParallelOptions { MaxDegreeOfParallelism = Callers },
            job => parallel[job] = encode(inputs[job % inputs.Length]));

        for (int job = 0; job < parallel.Length; job++)
        {
            Assert.Equal(sequential[job % inputs.Length], parallel[job]);
        }
    }

    private static ClipModel CreateEvalModel(string preset)
    {
        manual_seed(Seed);
        var model = ClipModel.Create(ClipPresets.Get(preset));
        model.eval();
        return model;
    }

    private static float[][] CreateInputs(int count, int length)
    {
        var random = new Random(Seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray())
            .ToArray();
    }

    /// <summary>A row of start token, <paramref name="index"/> + 1 ordinary ids, end token and zero padding.</summary>
    private static long[] CreateTokenRow(TextConfig text, int index)
    {
        var row = new long[text.ContextLength];
        row[0] = StartOfTextId;
        for (int position = 1; position <= index + 1; position++)
        {
            row[position] = 300 + (37 * position * (index + 1)) % 1000;
        }

        row[index + 2] = text.EndOfTextTokenId;
        return row;
    }
}
