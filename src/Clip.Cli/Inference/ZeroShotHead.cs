using static TorchSharp.torch;

namespace Clip.Cli.Inference;

/// <summary>
/// Zero-shot class weights built from prompt templates: each class is the re-normalised mean of the normalised
/// embeddings of its prompts, and an image's logits are 100 × the cosine similarity to each class.
/// </summary>
public sealed class ZeroShotHead : IDisposable
{
    /// <summary>The template of a single-prompt classifier.</summary>
    public const string DefaultTemplate = "a photo of a {}.";

    /// <summary>The scale of the cosine similarities, as in CLIP's zero-shot evaluation.</summary>
    public const float LogitScale = 100f;

    private const string LabelPlaceholder = "{}";

    private ZeroShotHead(Tensor weights, IReadOnlyList<string> labels)
    {
        Weights = weights;
        Labels = labels;
    }

    /// <summary>The class weights [C, E], L2-normalised; owned by this head and disposed with it.</summary>
    public Tensor Weights { get; }

    /// <summary>The class labels, in weight order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Builds the class weights.</summary>
    /// <param name="model">The model and tokenizer.</param>
    /// <param name="labels">The class labels.</param>
    /// <param name="templates">Prompt templates, each with <c>{}</c> where the label goes; several form an ensemble.</param>
    /// <exception cref="CliException">A template lacks <c>{}</c>, or no labels or templates are given.</exception>
    public static ZeroShotHead Create(LoadedModel model, IReadOnlyList<string> labels, IReadOnlyList<string> templates)
    {
        if (labels.Count == 0)
        {
            throw new CliException("No labels were given: pass at least one with --labels.");
        }

        if (templates.Count == 0)
        {
            throw new CliException("No templates were given.");
        }

        if (templates.FirstOrDefault(template => !template.Contains(LabelPlaceholder, StringComparison.Ordinal)) is { } invalid)
        {
            throw new CliException($"Template '{invalid}' is invalid: it must contain {{}} where the label goes.");
        }

        // NOTE: the evaluation part of the library is to provide the reference zero-shot classifier; this
        // follows the same recipe (normalise, average over templates, re-normalise).
        var prompts = labels.SelectMany(label => templates.Select(template => template.Replace(LabelPlaceholder, label, StringComparison.Ordinal))).ToList();
        using var scope = NewDisposeScope();
        Tensor embeddings = model.EncodeTexts(prompts);
        Tensor perClass = embeddings.reshape(labels.Count, templates.Count, -1); // [C*T, E] -> [C, T, E]
        Tensor mean = perClass.mean([1]); // [C, T, E] -> [C, E]
        Tensor weights = mean / mean.norm(1, keepdim: true);
        // The head owns its weights until Dispose, so they leave every dispose scope.
        return new ZeroShotHead(weights.DetachFromDisposeScope(), labels);
    }

    /// <summary>Returns class probabilities for normalised image embeddings.</summary>
    /// <param name="imageEmbeddings">[N, E], L2-normalised.</param>
    /// <returns>[N, C] softmax probabilities; the caller disposes them.</returns>
    public Tensor Probabilities(Tensor imageEmbeddings)
    {
        using var scope = NewDisposeScope();
        Tensor logits = LogitScale * imageEmbeddings.matmul(Weights.t()); // [N, E] x [E, C] -> [N, C]
        return logits.softmax(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => Weights.Dispose();
}
