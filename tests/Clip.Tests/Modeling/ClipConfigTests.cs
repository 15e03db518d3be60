using Clip.Modeling;
using Xunit;

namespace Clip.Tests.Modeling;

public sealed class ClipConfigTests
{
    [Fact]
    public void Get_UnknownPreset_ListsValidNames()
    {
        var error = Assert.Throws<ArgumentException>(() => ClipPresets.Get("ViT-H/14"));

        Assert.Contains("ViT-H/14", error.Message);
        Assert.All(ClipPresets.Names, name => Assert.Contains(name, error.Message));
    }

    [Fact]
    public void Get_DifferentCase_FindsPreset()
    {
        Assert.Equal(ClipPresets.Get("ViT-B/32"), ClipPresets.Get("vit-b/32"));
    }

    [Fact]
    public void Names_HaveNinePublishedPresets()
    {
        Assert.Equal(9, ClipPresets.PublishedNames.Count);
        Assert.Subset(ClipPresets.Names.ToHashSet(), ClipPresets.PublishedNames.ToHashSet());
    }

    [Fact]
    public void TextConfig_HeadsNotDividingWidth_NamesValues()
    {
        var error = Assert.Throws<ArgumentException>(() => new TextConfig(77, 49408, 64, 3, 2));

        Assert.Equal("heads", error.ParamName);
        Assert.Contains("3", error.Message);
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public void TextConfig_DefaultEndToken_IsLastId()
    {
        Assert.Equal(49407, new TextConfig(77, 49408, 64, 2, 2).EndOfTextTokenId);
    }

    [Fact]
    public void TextConfig_EndTokenOutsideVocabulary_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new TextConfig(77, 100, 64, 2, 2, endOfTextTokenId: 100));

        Assert.Equal("endOfTextTokenId", error.ParamName);
    }

    [Fact]
    public void TextConfig_WithContextLength_KeepsOtherFields()
    {
        var text = new TextConfig(77, 49408, 64, 2, 2).WithContextLength(16);

        Assert.Equal(new TextConfig(16, 49408, 64, 2, 2), text);
    }

    [Fact]
    public void VisionConfig_BadResolution_NamesValue()
    {
        var error = Assert.Throws<ArgumentException>(() => VisionConfig.VisionTransformer(imageResolution: 30, patchSize: 8, width: 64, layers: 2));

        Assert.Equal("imageResolution", error.ParamName);
        Assert.Contains("30", error.Message);
    }

    [Fact]
    public void VisionConfig_ThreeResNetStages_Rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => VisionConfig.ModifiedResNet(64, 32, new[] { 1, 1, 1 }));

        Assert.Equal("layers", error.ParamName);
    }

    [Fact]
    public void VisionConfig_DerivedHeads_FollowReference()
    {
        Assert.Equal(12, VisionConfig.VisionTransformer(224, 32, 768, 12).Heads);
        Assert.Equal(32, VisionConfig.ModifiedResNet(224, 64, new[] { 3, 4, 6, 3 }).Heads);
    }

    [Fact]
    public void VisionConfig_EqualLayers_AreEqual()
    {
        Assert.Equal(VisionConfig.ModifiedResNet(64, 32, new[] { 1, 2, 1, 1 }), VisionConfig.ModifiedResNet(64, 32, new List<int> { 1, 2, 1, 1 }));
    }

    [Fact]
    public void ClipConfig_NonPositiveEmbedDim_NamesValue()
    {
        var preset = ClipPresets.Get(ClipPresets.VitTiny);

        var error = Assert.Throws<ArgumentException>(() => new ClipConfig(0, preset.Vision, preset.Text));

        Assert.Equal("embedDim", error.ParamName);
    }
}
