using Clip.Evaluation;
using Clip.Text;
using static TorchSharp.torch;

namespace Clip.ZeroShot;

/// <summary>Computes zero-shot class weights by prompt ensembling.</summary>
internal static class PromptEnsemble
{
    /// <summary>Tokens a prompt needs beyond its BPE ids: the start and end tokens.</summary>
    private const int SpecialTokens = 2;

    /// <summary>
    /// Encodes every (class, template) prompt and returns, per class, the normalised mean of the normalised
    /// prompt embeddings.
    /// </summary>
    /// <remarks>
    /// Prompts are encoded in batches sorted by token count, and each batch is cut to its longest prompt
    /// instead of the full context length. Under the causal mask the end-of-text position, where the text
    /// feature is read, attends only to earlier positions. So the cut changes no result and saves the work on
    /// padding: "a photo of a cat." is 8 tokens against a context of 77.
    /// </remarks>
    /// <returns>Class weights [C, E] on the model's device in its dtype; the caller owns and disposes them.</returns>
    /// <exception cref="ArgumentException">A prompt needs more tokens than the model's context length.</exception>
    public static Tensor ComputeClassWeights(
        ClipModel model,
        ClipTokenizer tokenizer,
        IReadOnlyList<string> classNames,
        IReadOnlyList<string> templates,
        int batchSize,
        IProgress<EvaluationProgress>? progress)
    {
        int templateCount = templates.Count;
        int promptCount = classNames.Count * templateCount;
        int contextLength = model.Config.Text.ContextLength;
        var prompts = new string[promptCount];
        var lengths = new int[promptCount];
        for (int c = 0; c < classNames.Count; c++)
        {
            for (int t = 0; t < templateCount; t++)
            {
                int index = (c * templateCount) + t;
                prompts[index] = PromptTemplates.Fill(templates[t], classNames[c]);
                lengths[index] = tokenizer.EncodeToIds(prompts[index]).Length + SpecialTokens;
                if (lengths[index] > contextLength)
                {
                    throw new ArgumentException(
                        $"The prompt \"{prompts[index]}\" needs {lengths[index]} tokens, more than the model's context length of {contextLength}; shorten the class name or the template.",
                        nameof(classNames));
                }
            }
        }

        int[] order = Enumerable.Range(0, promptCount).OrderBy(i => lengths[i]).ToArray();

        using var scope = NewDisposeScope();
        using var evaluation = EvaluationMode.Enter(model);
        Tensor sums = zeros([classNames.Count, model.Config.EmbedDim], dtype: model.DType, device: model.Device); // [C, E]
        for (int start = 0; start < promptCount; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            int[] batch = order[start..Math.Min(promptCount, start + batchSize)];
            var rowOptions = new ClipTokenizeOptions { ContextLength = batch.Max(i => lengths[i]) };
            Tensor tokens = tokenizer.Tokenize(batch.Select(i => prompts[i]).ToArray(), rowOptions).to(model.Device); // [b, L]
            Tensor features = model.EncodeText(tokens, normalize: true); // [b, E]
            Tensor classes = tensor(batch.Select(i => (long)(i / templateCount)).ToArray(), device: model.Device); // [b]
            sums.index_add_(0, classes, features, 1.0);
            progress?.Report(new EvaluationProgress(EvaluationStage.EncodingTexts, start + batch.Length, promptCount, "prompts"));
        }

        Tensor mean = sums.DivScalar(templateCount); // [C, E]
        return mean.div(mean.norm(1, keepdim: true)).MoveToOuterDisposeScope();
    }
}
