using Microsoft.Extensions.AI;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Extensions.AI;

/// <summary>The request handling that the text and the image generator share.</summary>
internal static class EmbeddingBatches
{
    /// <summary>The provider name reported in <see cref="EmbeddingGeneratorMetadata.ProviderName"/>.</summary>
    public const string ProviderName = "clip-dotnet";

    /// <summary>Builds the metadata of a generator over <paramref name="model"/>.</summary>
    public static EmbeddingGeneratorMetadata CreateMetadata(ClipModel model, ClipEmbeddingGeneratorOptions options) =>
        new(ProviderName, providerUri: null, defaultModelId: options.ModelId, defaultModelDimensions: model.Config.EmbedDim);

    /// <summary>Rejects a model in training mode, whose outputs would record gradients (and, for a ResNet,
    /// use and update batch statistics) and so differ from inference.</summary>
    public static void EnsureInferenceMode(ClipModel model, string parameterName)
    {
        if (model.training)
        {
            throw new ArgumentException(
                "The model is in training mode. Call model.eval() before generating embeddings, and do not switch it back while generators use it.",
                parameterName);
        }
    }

    /// <summary>Rejects request options that ask for something the generator cannot deliver.</summary>
    /// <exception cref="ArgumentException">The options ask for other dimensions or another model.</exception>
    public static void ValidateRequest(EmbeddingGenerationOptions? request, EmbeddingGeneratorMetadata metadata)
    {
        if (request is null)
        {
            return;
        }

        // CLIP's embedding width is fixed by the projection; a prefix of the vector is not a trained embedding.
        if (request.Dimensions is int dimensions && dimensions != metadata.DefaultModelDimensions)
        {
            throw new ArgumentException(
                $"EmbeddingGenerationOptions.Dimensions is {dimensions}, but this model produces {metadata.DefaultModelDimensions} dimensions. Leave Dimensions null or set it to {metadata.DefaultModelDimensions}.",
                nameof(request));
        }

        if (request.ModelId is not null && metadata.DefaultModelId is not null
            && !string.Equals(request.ModelId, metadata.DefaultModelId, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"EmbeddingGenerationOptions.ModelId is '{request.ModelId}', but this generator serves '{metadata.DefaultModelId}'. Leave ModelId null or use a generator for that model.",
                nameof(request));
        }
    }

    /// <summary>Splits <paramref name="values"/> into consecutive batches of at most <paramref name="batchSize"/>.</summary>
    public static IEnumerable<ArraySegment<T>> Split<T>(T[] values, int batchSize)
    {
        for (int start = 0; start < values.Length; start += batchSize)
        {
            yield return new ArraySegment<T>(values, start, Math.Min(batchSize, values.Length - start));
        }
    }

    /// <summary>Copies each row of <paramref name="features"/> [B, E] into an embedding stamped with
    /// <paramref name="modelId"/> and <paramref name="createdAt"/>, and appends it to <paramref name="destination"/>.</summary>
    /// <param name="features">Model output [B, E] on any device and in any floating-point dtype; not disposed here.</param>
    /// <param name="destination">The list the embeddings are appended to, in row order.</param>
    /// <param name="modelId">The model id stored on each embedding, or null.</param>
    /// <param name="createdAt">The creation time stored on each embedding.</param>
    public static void AppendRows(Tensor features, GeneratedEmbeddings<Embedding<float>> destination, string? modelId, DateTimeOffset createdAt)
    {
        using var scope = NewDisposeScope();
        long rows = features.shape[0];
        int width = checked((int)features.shape[1]);
        float[] values = features.to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
        for (int row = 0; row < rows; row++)
        {
            var vector = new float[width];
            Array.Copy(values, row * width, vector, 0, width);
            destination.Add(new Embedding<float>(vector) { ModelId = modelId, CreatedAt = createdAt });
        }
    }

    /// <summary>Answers <see cref="IEmbeddingGenerator.GetService"/> for both generators.</summary>
    public static object? GetService(object generator, Type serviceType, object? serviceKey, EmbeddingGeneratorMetadata metadata, params object[] components)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return metadata;
        }

        if (serviceType.IsInstanceOfType(generator))
        {
            return generator;
        }

        return components.FirstOrDefault(serviceType.IsInstanceOfType);
    }
}
