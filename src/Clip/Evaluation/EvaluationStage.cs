namespace Clip.Evaluation;

/// <summary>The steps of an evaluation that report progress.</summary>
public enum EvaluationStage
{
    /// <summary>Encoding the images of a dataset.</summary>
    EncodingImages,

    /// <summary>Encoding texts: captions or class prompts.</summary>
    EncodingTexts,

    /// <summary>Fitting one candidate L2 strength of a linear probe and scoring it on the validation split.</summary>
    SweepingRegularization,

    /// <summary>Fitting the final linear probe with the chosen L2 strength.</summary>
    FittingProbe,

    /// <summary>Running one (shots, seed) trial of a few-shot probe.</summary>
    FewShotTrial,

    /// <summary>Classifying the images of a dataset.</summary>
    Classifying,
}
