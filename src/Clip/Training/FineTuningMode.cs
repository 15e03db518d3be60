namespace Clip.Training;

/// <summary>Which parameters of a <c>ClipModel</c> a training run updates.</summary>
public enum FineTuningMode
{
    /// <summary>Every parameter is trained.</summary>
    Full,

    /// <summary>
    /// The image tower is frozen and only the text side (and the logit scale) is trained, as in locked-image
    /// tuning ("LiT"). A ResNet image tower also keeps its BatchNorm running statistics fixed.
    /// </summary>
    LockImageTower,

    /// <summary>The text tower is frozen and only the image tower (and the logit scale) is trained.</summary>
    LockTextTower,

    /// <summary>
    /// Only the two projections into the shared embedding space and the logit scale are trained: <c>text_projection</c>,
    /// and <c>visual.proj</c> for a Vision Transformer or the attention pool's output projection
    /// <c>visual.attnpool.c_proj</c> for a ResNet. Both towers run with frozen BatchNorm statistics.
    /// </summary>
    ProjectionsOnly,
}
