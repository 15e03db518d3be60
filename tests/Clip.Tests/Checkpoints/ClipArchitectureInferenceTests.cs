using System.Text.Json.Nodes;
using Clip.Checkpoints;
using Clip.Modeling;
using Xunit;

namespace Clip.Tests.Checkpoints;

/// <summary>Architecture inference recovers the constructor arguments of every published model from its state-dict shapes.</summary>
[Trait("Category", "Golden")]
public sealed class ClipArchitectureInferenceTests
{
    private static string PublishedArchitectures => Path.Combine(Path.GetDirectoryName(TestPaths.GoldenModels)!, "published_architectures.json");

    public static TheoryData<string> PublishedModels()
    {
        var data = new TheoryData<string>();
        if (File.Exists(PublishedArchitectures))
        {
            foreach ((string name, _) in Models())
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PublishedModels))]
    public void Infer_RecoversConstructorArguments_ForPublishedModel(string name)
    {
        JsonObject model = Models()[name]!.AsObject();
        var shapes = model["state_dict"]!.AsArray().ToDictionary(
            entry => entry!["name"]!.GetValue<string>(),
            entry => (IReadOnlyList<long>)entry!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray());

        ClipConfig inferred = ClipArchitectureInference.Infer(shapes, name);

        ClipConfig expected = ClipConfigJson.Parse(model["config"]!.ToJsonString(), name);
        Assert.Equal(expected, inferred);
    }

    [Fact]
    public void Infer_UsesGivenTextHeads()
    {
        string stateDict = Path.Combine(TestPaths.GoldenModels, "vit_tiny", "checkpoints", "state_dict.pt");
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(stateDict);

        Assert.Equal(1, checkpoint.ResolveConfig().Text.Heads);
        Assert.Equal(2, checkpoint.ResolveConfig(textHeads: 2).Text.Heads);
    }

    [Fact]
    public void Infer_NamesMissingKey()
    {
        var shapes = new Dictionary<string, IReadOnlyList<long>> { ["text_projection"] = [64, 32] };

        var error = Assert.Throws<CheckpointFormatException>(() => ClipArchitectureInference.Infer(shapes, "partial"));

        Assert.Contains("'positional_embedding' is missing", error.Message, StringComparison.Ordinal);
    }

    private static JsonObject Models() =>
        JsonNode.Parse(File.ReadAllText(PublishedArchitectures))!["models"]!.AsObject();
}
