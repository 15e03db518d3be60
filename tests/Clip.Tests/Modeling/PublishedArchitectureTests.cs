using System.Text.Json;
using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

/// <summary>
/// Checks each published preset against the reference's list of state-dict keys, shapes, parameter/buffer kinds
/// and parameter count. Models are built on the meta device, which records shapes without allocating memory.
/// </summary>
public sealed class PublishedArchitectureTests
{
    private static readonly Lazy<JsonDocument> Published = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "../shared/golden/published_architectures.json"))));

    public static TheoryData<string> PresetNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in ClipPresets.PublishedNames)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void StateDict_MatchesPublishedArchitecture(string preset)
    {
        var reference = Published.Value.RootElement.GetProperty("models").GetProperty(preset);
        var expected = reference.GetProperty("state_dict").EnumerateArray()
            .Select(item => Describe(
                item.GetProperty("name").GetString()!,
                item.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()),
                item.GetProperty("kind").GetString() == "parameter"))
            .ToArray();

        using var model = ClipModel.Create(ClipPresets.Get(preset), new Device(DeviceType.META));
        var parameters = model.named_parameters().Select(pair => pair.parameter.Handle).ToHashSet();
        var actual = model.state_dict()
            .Select(pair => Describe(pair.Key, pair.Value.shape, parameters.Contains(pair.Value.Handle)))
            .ToArray();

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void ParameterCount_MatchesPublishedArchitecture(string preset)
    {
        long expected = Published.Value.RootElement.GetProperty("models").GetProperty(preset).GetProperty("num_parameters").GetInt64();

        using var model = ClipModel.Create(ClipPresets.Get(preset), new Device(DeviceType.META));
        long actual = model.parameters().Sum(parameter => parameter.numel());

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Config_MatchesPublishedConstructorArguments(string preset)
    {
        var arguments = Published.Value.RootElement.GetProperty("models").GetProperty(preset).GetProperty("config");
        var layers = arguments.GetProperty("vision_layers");
        var patch = arguments.GetProperty("vision_patch_size");
        var expected = ClipConfig.FromReferenceArguments(
            arguments.GetProperty("embed_dim").GetInt32(),
            arguments.GetProperty("image_resolution").GetInt32(),
            layers.ValueKind == JsonValueKind.Array ? layers.EnumerateArray().Select(item => item.GetInt32()).ToArray() : new[] { layers.GetInt32() },
            arguments.GetProperty("vision_width").GetInt32(),
            patch.ValueKind == JsonValueKind.Null ? null : patch.GetInt32(),
            arguments.GetProperty("context_length").GetInt32(),
            arguments.GetProperty("vocab_size").GetInt32(),
            arguments.GetProperty("transformer_width").GetInt32(),
            arguments.GetProperty("transformer_heads").GetInt32(),
            arguments.GetProperty("transformer_layers").GetInt32());

        Assert.Equal(expected, ClipPresets.Get(preset));
    }

    private static string Describe(string name, IEnumerable<long> shape, bool isParameter) =>
        $"{name} [{string.Join(", ", shape)}] {(isParameter ? "parameter" : "buffer")}";
}
