namespace Clip.Modeling;

/// <summary>The kind of image encoder a CLIP model uses.</summary>
public enum VisionArchitecture
{
    /// <summary>A Vision Transformer: patch embedding, class token and a stack of residual attention blocks.</summary>
    VisionTransformer,

    /// <summary>A ResNet with a three-convolution stem, average-pool downsampling and attention pooling.</summary>
    ModifiedResNet,
}
