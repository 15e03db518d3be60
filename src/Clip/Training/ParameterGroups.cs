using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// Splits a CLIP model's parameters into the trained and the frozen ones, and the trained ones into those that get
/// weight decay and those that do not; builds the AdamW optimiser from that split.
/// </summary>
/// <remarks>
/// Weight decay applies to weight matrices and convolution kernels (two or more dimensions) only. Gains and biases
/// (one dimension), the embeddings (<c>token_embedding</c>, every <c>positional_embedding</c>,
/// <c>class_embedding</c>) and <c>logit_scale</c> are never decayed: shrinking them towards zero has no
/// regularising meaning and hurts training.
/// </remarks>
internal sealed class ParameterGroups
{
    private const string VisualPrefix = "visual.";
    private const string LogitScaleName = "logit_scale";
    private const string EmbeddingMarker = "embedding";

    // The two projections into the shared embedding space; a ResNet's image projection is its attention pool's output layer.
    private static readonly string[] ProjectionPrefixes = ["text_projection", "visual.proj", "visual.attnpool.c_proj."];

    private ParameterGroups(IReadOnlyList<(string Name, Parameter Parameter)> decayed, IReadOnlyList<(string Name, Parameter Parameter)> notDecayed, IReadOnlyList<string> frozen)
    {
        Decayed = decayed;
        NotDecayed = notDecayed;
        Frozen = frozen;
    }

    /// <summary>Trained parameters that receive weight decay.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Decayed { get; }

    /// <summary>Trained parameters without weight decay.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NotDecayed { get; }

    /// <summary>Names of the parameters that stay fixed.</summary>
    public IReadOnlyList<string> Frozen { get; }

    /// <summary>Number of scalar values that are trained.</summary>
    public long TrainedValues => Decayed.Concat(NotDecayed).Sum(p => p.Parameter.numel());

    /// <summary>Splits the parameters of <paramref name="model"/> for <paramref name="mode"/>.</summary>
    public static ParameterGroups Create(nn.Module model, FineTuningMode mode)
    {
        var decayed = new List<(string, Parameter)>();
        var notDecayed = new List<(string, Parameter)>();
        var frozen = new List<string>();
        foreach ((string name, Parameter parameter) in model.named_parameters())
        {
            if (!IsTrained(name, mode))
            {
                frozen.Add(name);
                continue;
            }

            (UsesWeightDecay(name, parameter) ? decayed : notDecayed).Add((name, parameter));
        }

        return new ParameterGroups(decayed, notDecayed, frozen);
    }

    /// <summary>Returns whether the parameter named <paramref name="name"/> is trained under <paramref name="mode"/>.</summary>
    public static bool IsTrained(string name, FineTuningMode mode)
    {
        bool isImage = name.StartsWith(VisualPrefix, StringComparison.Ordinal);
        return mode switch
        {
            FineTuningMode.Full => true,
            FineTuningMode.LockImageTower => !isImage,
            FineTuningMode.LockTextTower => isImage || name == LogitScaleName,
            FineTuningMode.ProjectionsOnly => name == LogitScaleName || ProjectionPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown fine-tuning mode."),
        };
    }

    /// <summary>Returns whether weight decay applies to the parameter <paramref name="name"/>.</summary>
    public static bool UsesWeightDecay(string name, Tensor parameter)
    {
        if (parameter.dim() < 2 || name == LogitScaleName)
        {
            return false;
        }

        string leaf = name[(name.LastIndexOf('.') + 1)..];
        return !leaf.Contains(EmbeddingMarker, StringComparison.Ordinal) && !name.StartsWith("token_" + EmbeddingMarker, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sets <c>requires_grad</c> on every parameter of <paramref name="model"/>: on for the trained ones, off for the
    /// frozen ones, so that no gradient is computed or stored for a locked tower.
    /// </summary>
    public void ApplyRequiresGrad(nn.Module model)
    {
        var frozen = new HashSet<string>(Frozen, StringComparer.Ordinal);
        foreach ((string name, Parameter parameter) in model.named_parameters())
        {
            parameter.requires_grad = !frozen.Contains(name);
        }
    }

    /// <summary>Creates AdamW over the trained parameters with two groups: decayed and not decayed. The caller disposes it.</summary>
    public AdamWOptimizer CreateOptimizer(TrainingOptions options)
    {
        var groups = new List<AdamWGroup>();
        if (Decayed.Count > 0)
        {
            groups.Add(new AdamWGroup(Decayed.Select(p => p.Parameter), options.LearningRate, options.WeightDecay));
        }

        if (NotDecayed.Count > 0)
        {
            groups.Add(new AdamWGroup(NotDecayed.Select(p => p.Parameter), options.LearningRate, weightDecay: 0));
        }

        if (groups.Count == 0)
        {
            throw new InvalidOperationException("The fine-tuning mode leaves no parameter to train.");
        }

        return new AdamWOptimizer(groups, options.Beta1, options.Beta2, options.Epsilon);
    }
}
