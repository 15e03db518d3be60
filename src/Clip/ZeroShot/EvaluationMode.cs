namespace Clip.ZeroShot;

/// <summary>
/// Switches a model to eval mode and disables autograd until disposed, then restores the model's previous mode.
/// </summary>
internal sealed class EvaluationMode : IDisposable
{
    private readonly ClipModel _model;
    private readonly bool _wasTraining;
    private readonly IDisposable _noGrad;

    private EvaluationMode(ClipModel model)
    {
        _model = model;
        _wasTraining = model.training;
        model.eval();
        _noGrad = TorchSharp.torch.no_grad();
    }

    /// <summary>Enters eval mode without autograd for <paramref name="model"/>.</summary>
    public static EvaluationMode Enter(ClipModel model) => new(model);

    /// <summary>Restores autograd and the model's training mode.</summary>
    public void Dispose()
    {
        _noGrad.Dispose();
        if (_wasTraining)
        {
            _model.train();
        }
    }
}
