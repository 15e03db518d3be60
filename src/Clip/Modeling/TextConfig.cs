namespace Clip.Modeling;

/// <summary>Hyperparameters of the text encoder, immutable and validated on construction.</summary>
public sealed record TextConfig
{
    /// <summary>Creates a validated text configuration.</summary>
    /// <param name="contextLength">Maximum tokens per row (positional embedding rows); 77 in the published models.</param>
    /// <param name="vocabSize">Token embedding rows; 49,408 in the published models.</param>
    /// <param name="width">Transformer width.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="layers">Residual attention blocks.</param>
    /// <param name="endOfTextTokenId">Token id whose first occurrence pools the text; null means vocabSize - 1.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public TextConfig(int contextLength, int vocabSize, int width, int heads, int layers, int? endOfTextTokenId = null)
    {
        RequirePositive(contextLength, nameof(contextLength));
        RequirePositive(vocabSize, nameof(vocabSize));
        RequirePositive(width, nameof(width));
        RequirePositive(heads, nameof(heads));
        RequirePositive(layers, nameof(layers));
        if (width % heads != 0)
        {
            throw new ArgumentException($"heads = {heads} must divide width = {width}.", nameof(heads));
        }

        int endOfText = endOfTextTokenId ?? vocabSize - 1;
        if (endOfText < 0 || endOfText >= vocabSize)
        {
            throw new ArgumentException($"endOfTextTokenId = {endOfText} must be in [0, {vocabSize - 1}].", nameof(endOfTextTokenId));
        }

        ContextLength = contextLength;
        VocabSize = vocabSize;
        Width = width;
        Heads = heads;
        Layers = layers;
        EndOfTextTokenId = endOfText;
    }

    /// <summary>Maximum tokens per row.</summary>
    public int ContextLength { get; }

    /// <summary>Vocabulary size: valid token ids are [0, VocabSize).</summary>
    public int VocabSize { get; }

    /// <summary>Transformer width.</summary>
    public int Width { get; }

    /// <summary>Attention heads.</summary>
    public int Heads { get; }

    /// <summary>Residual attention blocks.</summary>
    public int Layers { get; }

    /// <summary>Token id whose first occurrence in a row marks the pooled position.</summary>
    public int EndOfTextTokenId { get; }

    /// <summary>Returns a copy with another context length (positional embedding rows).</summary>
    /// <param name="contextLength">The new context length, positive.</param>
    /// <returns>The validated copy.</returns>
    public TextConfig WithContextLength(int contextLength) =>
        new(contextLength, VocabSize, Width, Heads, Layers, EndOfTextTokenId);

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}.", name);
        }
    }
}
