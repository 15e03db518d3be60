using System.Text.Json;
using Clip.Checkpoints;
using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

/// <summary>
/// One reference model fixture: its configuration, weights, inputs, expected outputs and manifest, loaded from a
/// folder under <see cref="TestPaths.GoldenModels"/>.
/// </summary>
internal sealed class GoldenFixture : IDisposable
{
    private GoldenFixture(string folder)
    {
        Folder = folder;
        Name = Path.GetFileName(folder);
        Config = ReadConfig(Path.Combine(folder, "config.json"));
        Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        StateDict = SafeTensors.Load(Path.Combine(folder, "state_dict.safetensors"));
        Inputs = SafeTensors.Load(Path.Combine(folder, "inputs.safetensors"));
        Expected = SafeTensors.Load(Path.Combine(folder, "expected.safetensors"));
        ExpectedFloat64 = SafeTensors.Load(Path.Combine(folder, "expected_f64.safetensors"));
    }

    public string Folder { get; }

    public string Name { get; }

    public ClipConfig Config { get; }

    public JsonDocument Manifest { get; }

    public Dictionary<string, Tensor> StateDict { get; }

    public Dictionary<string, Tensor> Inputs { get; }

    public Dictionary<string, Tensor> Expected { get; }

    public Dictionary<string, Tensor> ExpectedFloat64 { get; }

    public Tensor Pixels => Inputs["pixels"];

    public Tensor Tokens => Inputs["tokens"];

    /// <summary>The fixture folder names, sorted; empty when the folder has none.</summary>
    public static IReadOnlyList<string> FolderNames()
    {
        string root = TestPaths.GoldenModels;
        if (!Directory.Exists(root))
        {
            return Array.Empty<string>();
        }

        return Directory.GetDirectories(root)
            .Where(folder => File.Exists(Path.Combine(folder, "config.json")) && File.Exists(Path.Combine(folder, "state_dict.safetensors")))
            .Select(Path.GetFileName)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToArray()!;
    }

    /// <summary>xunit member data: one row per fixture folder.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in FolderNames())
        {
            data.Add(name);
        }

        return data;
    }

    public static GoldenFixture Open(string name) => new(Path.Combine(TestPaths.GoldenModels, name));

    /// <summary>Builds the fixture's model with its weights loaded, in eval mode, in the requested dtype.</summary>
    public ClipModel CreateModel(ScalarType dtype = ScalarType.Float32)
    {
        var model = ClipModel.Create(Config);
        model.LoadStateDict(StateDict);
        if (dtype != ScalarType.Float32)
        {
            model.to(dtype);
        }

        model.eval();
        return model;
    }

    /// <summary>The gradient norms recorded in the manifest (float32 run, or float64 run).</summary>
    public IReadOnlyDictionary<string, double> GradientNorms(bool float64)
    {
        var element = Manifest.RootElement.GetProperty(float64 ? "grad_norms_f64" : "grad_norms");
        return element.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetDouble());
    }

    public void Dispose()
    {
        Manifest.Dispose();
        foreach (var tensors in new[] { StateDict, Inputs, Expected, ExpectedFloat64 })
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static ClipConfig ReadConfig(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var visionLayers = root.GetProperty("vision_layers");
        int[] layers = visionLayers.ValueKind == JsonValueKind.Array
            ? visionLayers.EnumerateArray().Select(item => item.GetInt32()).ToArray()
            : new[] { visionLayers.GetInt32() };
        var patch = root.GetProperty("vision_patch_size");

        return ClipConfig.FromReferenceArguments(
            embedDim: root.GetProperty("embed_dim").GetInt32(),
            imageResolution: root.GetProperty("image_resolution").GetInt32(),
            visionLayers: layers,
            visionWidth: root.GetProperty("vision_width").GetInt32(),
            visionPatchSize: patch.ValueKind == JsonValueKind.Null ? null : patch.GetInt32(),
            contextLength: root.GetProperty("context_length").GetInt32(),
            vocabSize: root.GetProperty("vocab_size").GetInt32(),
            transformerWidth: root.GetProperty("transformer_width").GetInt32(),
            transformerHeads: root.GetProperty("transformer_heads").GetInt32(),
            transformerLayers: root.GetProperty("transformer_layers").GetInt32());
    }
}
