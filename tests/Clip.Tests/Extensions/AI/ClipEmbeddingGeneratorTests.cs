using Clip.Extensions.AI;
using Clip.Imaging;
using Clip.Modeling;
using Clip.Tests.TestModels;
using Microsoft.Extensions.AI;
using Xunit;

namespace Clip.Tests.Extensions.AI;

/// <summary>
/// The Microsoft.Extensions.AI generators, used through the abstractions only, as an application that
/// receives them from dependency injection would.
/// </summary>
public sealed class ClipEmbeddingGeneratorTests
{
    private const string ModelId = "color-clip-test";
    private const string PngMediaType = "image/png";

    /// <summary>Tolerance for the length of a normalised float32 vector.</summary>
    private const float UnitNormTolerance = 1e-4f;

    private static ColorClipModel Trained => ColorClipModel.Shared;

    [Fact]
    public async Task Generators_RankMatchingLabelFirst_ForUnseenShades()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator();
        string[] labels = ColorClipModel.Colors.Select(color => ColorClipModel.Prompt(color.Name)).ToArray();

        GeneratedEmbeddings<Embedding<float>> labelEmbeddings = await texts.GenerateAsync(labels);
        foreach (int offset in new[] { -12, 0, 13 })
        {
            DataContent[] shades = ColorClipModel.Colors
                .Select(color => new DataContent(ColorClipModel.CreateImage(color.Color, offset), PngMediaType))
                .ToArray();
            GeneratedEmbeddings<Embedding<float>> imageEmbeddings = await images.GenerateAsync(shades);

            for (int i = 0; i < shades.Length; i++)
            {
                int best = RankByCosine(imageEmbeddings[i], labelEmbeddings)[0];
                Assert.True(
                    best == i,
                    $"A {ColorClipModel.Colors[i].Name} image shifted by {offset} ranked '{ColorClipModel.Colors[best].Name}' first "
                    + $"(final training loss {Trained.FinalLoss:F4}).");
            }
        }
    }

    [Fact]
    public void ColorModel_ReachesTargetLoss()
    {
        Assert.True(Trained.FinalLoss < ColorClipModel.TargetLoss, $"Training stopped at loss {Trained.FinalLoss:F4}.");
    }

    [Fact]
    public void Metadata_ReportsProviderModelIdAndDimensions()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator();

        foreach (IEmbeddingGenerator generator in new IEmbeddingGenerator[] { texts, images })
        {
            EmbeddingGeneratorMetadata? metadata = generator.GetService<EmbeddingGeneratorMetadata>();

            Assert.NotNull(metadata);
            Assert.Equal("clip-dotnet", metadata.ProviderName);
            Assert.Equal(ModelId, metadata.DefaultModelId);
            Assert.Equal(Trained.Model.Config.EmbedDim, metadata.DefaultModelDimensions);
        }
    }

    [Fact]
    public async Task Embeddings_HaveModelIdDimensionsAndUnitNorm()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();

        Embedding<float> embedding = (await texts.GenerateAsync(["a photo of something red."]))[0];

        Assert.Equal(ModelId, embedding.ModelId);
        Assert.Equal(Trained.Model.Config.EmbedDim, embedding.Dimensions);
        Assert.InRange(Norm(embedding.Vector.Span), 1 - UnitNormTolerance, 1 + UnitNormTolerance);
    }

    [Fact]
    public async Task TextGenerator_ReturnsInputOrder_AcrossBatches()
    {
        string[] inputs = ["red", "green", "blue", "a red square", "a green field"];
        using IEmbeddingGenerator<string, Embedding<float>> batched = CreateTextGenerator(batchSize: 2);
        using IEmbeddingGenerator<string, Embedding<float>> single = CreateTextGenerator(batchSize: 32);

        GeneratedEmbeddings<Embedding<float>> fromBatches = await batched.GenerateAsync(inputs);
        GeneratedEmbeddings<Embedding<float>> fromOneBatch = await single.GenerateAsync(inputs);

        Assert.Equal(inputs.Length, fromBatches.Count);
        for (int i = 0; i < inputs.Length; i++)
        {
            AssertClose(fromOneBatch[i].Vector.Span, fromBatches[i].Vector.Span);
        }
    }

    [Fact]
    public async Task ImageGenerator_ReturnsInputOrder_AcrossBatches()
    {
        DataContent[] inputs = ColorClipModel.Colors
            .Concat(ColorClipModel.Colors)
            .Select((color, i) => new DataContent(ColorClipModel.CreateImage(color.Color, i), PngMediaType))
            .ToArray();
        using IEmbeddingGenerator<DataContent, Embedding<float>> batched = CreateImageGenerator(batchSize: 4);
        using IEmbeddingGenerator<DataContent, Embedding<float>> single = CreateImageGenerator(batchSize: 32);

        GeneratedEmbeddings<Embedding<float>> fromBatches = await batched.GenerateAsync(inputs);
        GeneratedEmbeddings<Embedding<float>> fromOneBatch = await single.GenerateAsync(inputs);

        Assert.Equal(inputs.Length, fromBatches.Count);
        for (int i = 0; i < inputs.Length; i++)
        {
            AssertClose(fromOneBatch[i].Vector.Span, fromBatches[i].Vector.Span);
        }
    }

    [Fact]
    public async Task TextGenerator_ReportsTokenCount()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        int expected = new[] { "red", "a green field" }.Sum(text => Trained.Tokenizer.EncodeToIds(text).Length + 2);

        GeneratedEmbeddings<Embedding<float>> result = await texts.GenerateAsync(["red", "a green field"]);

        Assert.Equal(expected, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_ReturnsEmpty_ForNoInputs()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();

        GeneratedEmbeddings<Embedding<float>> result = await texts.GenerateAsync(Array.Empty<string>());

        Assert.Empty(result);
    }

    [Fact]
    public async Task GenerateAsync_Throws_WhenAlreadyCancelled()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var image = new DataContent(ColorClipModel.CreateImage(ColorClipModel.Colors[0].Color), PngMediaType);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => texts.GenerateAsync(["red"], cancellationToken: cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => images.GenerateAsync([image], cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task ImageGenerator_RejectsNonImageMediaType()
    {
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator();
        var text = new DataContent("hello"u8.ToArray(), "text/plain");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => images.GenerateAsync([text]));

        Assert.Contains("text/plain", error.Message);
    }

    [Fact]
    public async Task ImageGenerator_NamesRequestIndex_OfUndecodableImage()
    {
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator(batchSize: 2);
        DataContent valid = new(ColorClipModel.CreateImage(ColorClipModel.Colors[0].Color), PngMediaType);
        DataContent damaged = new(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 }, PngMediaType);

        var error = await Assert.ThrowsAsync<ImageBatchException>(() => images.GenerateAsync([valid, valid, valid, damaged]));

        Assert.Equal(3, error.Index);
    }

    [Fact]
    public async Task GenerateAsync_RejectsOtherDimensions()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        var request = new EmbeddingGenerationOptions { Dimensions = Trained.Model.Config.EmbedDim / 2 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => texts.GenerateAsync(["red"], request));

        Assert.Contains("Dimensions", error.Message);
    }

    [Fact]
    public async Task GenerateAsync_Throws_AfterDispose()
    {
        IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator();
        texts.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => texts.GenerateAsync(["red"]));
    }

    [Fact]
    public async Task Generators_ParallelCallers_MatchSequentialResults()
    {
        using IEmbeddingGenerator<string, Embedding<float>> texts = CreateTextGenerator(batchSize: 2);
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = CreateImageGenerator(batchSize: 2);
        string[] prompts = ColorClipModel.Colors.Select(color => ColorClipModel.Prompt(color.Name)).ToArray();
        DataContent[] shades = ColorClipModel.Colors
            .Select(color => new DataContent(ColorClipModel.CreateImage(color.Color, 5), PngMediaType))
            .ToArray();
        float[][] sequentialTexts = (await texts.GenerateAsync(prompts)).Select(e => e.Vector.ToArray()).ToArray();
        float[][] sequentialImages = (await images.GenerateAsync(shades)).Select(e => e.Vector.ToArray()).ToArray();

        Task<GeneratedEmbeddings<Embedding<float>>>[] textRequests = Enumerable.Range(0, 6).Select(_ => texts.GenerateAsync(prompts)).ToArray();
        Task<GeneratedEmbeddings<Embedding<float>>>[] imageRequests = Enumerable.Range(0, 6).Select(_ => images.GenerateAsync(shades)).ToArray();
        GeneratedEmbeddings<Embedding<float>>[] textResults = await Task.WhenAll(textRequests);
        GeneratedEmbeddings<Embedding<float>>[] imageResults = await Task.WhenAll(imageRequests);

        foreach (GeneratedEmbeddings<Embedding<float>> result in textResults)
        {
            Assert.Equal(sequentialTexts, result.Select(e => e.Vector.ToArray()).ToArray());
        }

        foreach (GeneratedEmbeddings<Embedding<float>> result in imageResults)
        {
            Assert.Equal(sequentialImages, result.Select(e => e.Vector.ToArray()).ToArray());
        }
    }

    [Fact]
    public void Constructors_RejectModelInTrainingMode()
    {
        using var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        model.train();

        Assert.Throws<ArgumentException>("model", () => new ClipTextEmbeddingGenerator(model, Trained.Tokenizer));
        Assert.Throws<ArgumentException>("model", () => new ClipImageEmbeddingGenerator(model, Trained.Preprocessor));
    }

    [Fact]
    public void ImageGenerator_RejectsPreprocessorOfOtherResolution()
    {
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(Trained.Model.Config.Vision.ImageResolution * 2));

        Assert.Throws<ArgumentException>("preprocessor", () => new ClipImageEmbeddingGenerator(Trained.Model, preprocessor));
    }

    private static ClipTextEmbeddingGenerator CreateTextGenerator(int batchSize = ClipEmbeddingGeneratorOptions.DefaultBatchSize) =>
        new(Trained.Model, Trained.Tokenizer, new ClipEmbeddingGeneratorOptions { ModelId = ModelId, BatchSize = batchSize });

    private static ClipImageEmbeddingGenerator CreateImageGenerator(int batchSize = ClipEmbeddingGeneratorOptions.DefaultBatchSize) =>
        new(Trained.Model, Trained.Preprocessor, new ClipEmbeddingGeneratorOptions { ModelId = ModelId, BatchSize = batchSize });

    /// <summary>Returns the indices of <paramref name="candidates"/>, most similar to <paramref name="query"/> first.</summary>
    private static int[] RankByCosine(Embedding<float> query, IReadOnlyList<Embedding<float>> candidates) =>
        Enumerable.Range(0, candidates.Count)
            .OrderByDescending(i => Cosine(query.Vector.Span, candidates[i].Vector.Span))
            .ToArray();

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot / (Norm(a) * Norm(b));
    }

    private static float Norm(ReadOnlySpan<float> vector)
    {
        float sum = 0;
        foreach (float value in vector)
        {
            sum += value * value;
        }

        return MathF.Sqrt(sum);
    }

    /// <summary>Batches of other sizes may take other kernels, so the vectors agree to float32 rounding only.</summary>
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        const float Tolerance = 1e-5f;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"Element {i}: expected {expected[i]}, got {actual[i]}.");
        }
    }
}
