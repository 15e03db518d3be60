using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>
/// What the trainer needs from a CLIP model: the module that owns every parameter, the two encoders, the logit
/// scale and the image tower (to freeze its BatchNorm statistics when it is locked).
/// </summary>
/// <param name="Module">Module whose parameters and buffers are trained and checkpointed.</param>
/// <param name="EncodeImage">[n, 3, R, R] float32 pixels to [n, E] embeddings, not normalised.</param>
/// <param name="EncodeText">[n, L] int64 token ids to [n, E] embeddings, not normalised.</param>
/// <param name="LogitScale">Scalar parameter holding the log of the logit scale.</param>
/// <param name="ImageTower">Child module of the image encoder (parameter names start with <c>visual.</c>).</param>
/// <param name="TextModules">Child modules of the text encoder.</param>
internal sealed record TrainableClip(
    nn.Module Module,
    Func<Tensor, Tensor> EncodeImage,
    Func<Tensor, Tensor> EncodeText,
    Parameter LogitScale,
    nn.Module ImageTower,
    IReadOnlyList<nn.Module> TextModules)
{
    /// <summary>Wraps <paramref name="model"/>: its encoders without normalisation, <c>logit_scale</c> and its towers.</summary>
    public static TrainableClip From(ClipModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TrainableClip(
            model,
            pixels => model.EncodeImage(pixels),
            tokens => model.EncodeText(tokens),
            model.logit_scale,
            model.visual,
            [model.token_embedding, model.transformer, model.ln_final]);
    }

    /// <summary>
    /// Puts the model in training mode, then the frozen towers in evaluation mode, so that a locked ResNet keeps its
    /// BatchNorm running statistics.
    /// </summary>
    public void SetTrainingMode(FineTuningMode mode)
    {
        Module.train();
        if (mode is FineTuningMode.LockImageTower or FineTuningMode.ProjectionsOnly)
        {
            ImageTower.eval();
        }

        if (mode is FineTuningMode.LockTextTower or FineTuningMode.ProjectionsOnly)
        {
            foreach (nn.Module text in TextModules)
            {
                text.eval();
            }
        }
    }
}
