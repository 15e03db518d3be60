using Clip.Training;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Training;

public sealed class ParameterGroupsTests
{
    [Theory]
    [InlineData("visual.transformer.resblocks.0.attn.in_proj_weight", new long[] { 12, 4 }, true)]
    [InlineData("visual.conv1.weight", new long[] { 4, 3, 2, 2 }, true)]
    [InlineData("text_projection", new long[] { 4, 4 }, true)]
    [InlineData("visual.proj", new long[] { 4, 4 }, true)]
    [InlineData("visual.transformer.resblocks.0.attn.in_proj_bias", new long[] { 12 }, false)]
    [InlineData("ln_final.weight", new long[] { 4 }, false)]
    [InlineData("visual.bn1.weight", new long[] { 4 }, false)]
    [InlineData("token_embedding.weight", new long[] { 10, 4 }, false)]
    [InlineData("positional_embedding", new long[] { 7, 4 }, false)]
    [InlineData("visual.positional_embedding", new long[] { 5, 4 }, false)]
    [InlineData("visual.attnpool.positional_embedding", new long[] { 5, 4 }, false)]
    [InlineData("visual.class_embedding", new long[] { 4 }, false)]
    [InlineData("logit_scale", new long[] { }, false)]
    public void UsesWeightDecay_OnlyForWeightMatrices(string name, long[] shape, bool expected)
    {
        using Tensor parameter = zeros(shape);

        Assert.Equal(expected, ParameterGroups.UsesWeightDecay(name, parameter));
    }

    [Theory]
    [InlineData(FineTuningMode.Full, "visual.conv1.weight", true)]
    [InlineData(FineTuningMode.LockImageTower, "visual.conv1.weight", false)]
    [InlineData(FineTuningMode.LockImageTower, "token_embedding.weight", true)]
    [InlineData(FineTuningMode.LockImageTower, "logit_scale", true)]
    [InlineData(FineTuningMode.LockTextTower, "transformer.resblocks.0.mlp.c_fc.weight", false)]
    [InlineData(FineTuningMode.LockTextTower, "visual.conv1.weight", true)]
    [InlineData(FineTuningMode.LockTextTower, "logit_scale", true)]
    [InlineData(FineTuningMode.ProjectionsOnly, "visual.proj", true)]
    [InlineData(FineTuningMode.ProjectionsOnly, "visual.attnpool.c_proj.bias", true)]
    [InlineData(FineTuningMode.ProjectionsOnly, "text_projection", true)]
    [InlineData(FineTuningMode.ProjectionsOnly, "visual.attnpool.q_proj.weight", false)]
    [InlineData(FineTuningMode.ProjectionsOnly, "ln_final.weight", false)]
    public void IsTrained_FollowsFineTuningMode(FineTuningMode mode, string name, bool expected)
    {
        Assert.Equal(expected, ParameterGroups.IsTrained(name, mode));
    }

    [Fact]
    public void CreateOptimizer_SplitsDecayedAndNotDecayed()
    {
        using var model = new ToyClip(seed: 1);
        ParameterGroups groups = ParameterGroups.Create(model, FineTuningMode.Full);

        using var optimizer = groups.CreateOptimizer(new TrainingOptions());

        Assert.Equal(["text_projection", "visual.conv1.weight", "visual.proj"], groups.Decayed.Select(p => p.Name).Order());
        Assert.Contains("logit_scale", groups.NotDecayed.Select(p => p.Name));
        Assert.Equal(2, optimizer.ParamGroups.Count());
    }
}
