using Clip.Modeling;

namespace Clip.Tests.Checkpoints;

/// <summary>Small model configurations for checkpoint tests, with a 1,000-token vocabulary to keep files small.</summary>
internal static class SmallConfigs
{
    private const int VocabSize = 1000;
    private const int ContextLength = 77;

    /// <summary>A ViT model with non-default head counts (text 2 heads at width 64, vision 1), which the weights cannot reveal.</summary>
    public static ClipConfig VisionTransformer() => new(
        32,
        VisionConfig.VisionTransformer(imageResolution: 32, patchSize: 8, width: 64, layers: 2, heads: 2),
        new TextConfig(ContextLength, VocabSize, width: 64, heads: 2, layers: 2));

    /// <summary>A ResNet model with four text heads at width 64.</summary>
    public static ClipConfig ResNet() => new(
        64,
        VisionConfig.ModifiedResNet(imageResolution: 64, width: 16, stageLayers: [1, 1, 1, 1]),
        new TextConfig(ContextLength, VocabSize, width: 64, heads: 4, layers: 2));
}
