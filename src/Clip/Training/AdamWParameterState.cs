using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>The AdamW state of one parameter: step count and first and second moments.</summary>
internal sealed class AdamWParameterState : IDisposable
{
    /// <summary>Creates the state of <paramref name="parameter"/> with zero moments, outside any dispose scope.</summary>
    public AdamWParameterState(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Parameter = parameter;
        using (no_grad())
        {
            ExpAvg = zeros_like(parameter).DetachFromDisposeScope();
            ExpAvgSq = zeros_like(parameter).DetachFromDisposeScope();
        }
    }

    /// <summary>The parameter this state belongs to.</summary>
    public Parameter Parameter { get; }

    /// <summary>Steps taken for this parameter, which the bias corrections use.</summary>
    public long Step { get; set; }

    /// <summary>Running average of the gradient (first moment).</summary>
    public Tensor ExpAvg { get; }

    /// <summary>Running average of the squared gradient (second moment).</summary>
    public Tensor ExpAvgSq { get; }

    /// <summary>Frees both moment tensors.</summary>
    public void Dispose()
    {
        ExpAvg.Dispose();
        ExpAvgSq.Dispose();
    }
}
