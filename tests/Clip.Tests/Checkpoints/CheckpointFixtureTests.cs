using System.Text.Json.Nodes;
using Clip.Checkpoints;
using Clip.Modeling;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Checkpoints;

/// <summary>
/// Loads every checkpoint file listed in the fixtures' <c>checkpoints/manifest.json</c> through
/// <see cref="ClipModel.FromPretrained(string, PretrainedLoadOptions)"/> and compares weights and outputs with
/// the fixture's reference values.
/// </summary>
[Trait("Category", "Golden")]
public sealed class CheckpointFixtureTests
{
    // float32 checkpoints hold the fixture weights exactly; the forward pass may order operations differently.
    private const double Float32AbsoluteTolerance = 1e-5;
    private const double Float32RelativeTolerance = 1e-5;

    // Added to the half-precision error the manifest records, for the forward pass's own float32 rounding.
    private const double HalfPrecisionSlack = 1e-4;

    private static readonly string[] ComparedOutputs = ["image_features", "text_features", "logits_per_image", "logits_per_text"];

    private static readonly IReadOnlySet<string> ReleaseScalars = new HashSet<string> { "input_resolution", "context_length", "vocab_size" };

    /// <summary>One case per file in every fixture's checkpoint manifest: (fixture folder, file name relative to checkpoints/).</summary>
    public static TheoryData<string, string> CheckpointFiles()
    {
        var data = new TheoryData<string, string>();
        if (!Directory.Exists(TestPaths.GoldenModels))
        {
            return data;
        }

        foreach (string fixture in Directory.GetDirectories(TestPaths.GoldenModels).Order(StringComparer.Ordinal))
        {
            string manifest = Path.Combine(fixture, "checkpoints", "manifest.json");
            if (!File.Exists(manifest))
            {
                continue;
            }

            foreach ((string file, _) in ReadManifest(manifest)["files"]!.AsObject())
            {
                data.Add(Path.GetFileName(fixture), file);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CheckpointFiles))]
    public void FromPretrained_ReproducesExpectedOutputs_ForEachCheckpointFile(string fixture, string file)
    {
        using var scope = NewDisposeScope();
        var fixtureCase = new FixtureCase(fixture, file);
        ClipConfig expectedConfig = ClipConfigJson.Read(Path.Combine(fixtureCase.Folder, "config.json"));

        // Files without a configuration need the text heads, which the weights do not record.
        var options = new PretrainedLoadOptions { TextHeads = expectedConfig.Text.Heads };
        using ClipModel model = ClipModel.FromPretrained(fixtureCase.LoadPath, options);
        Assert.Equal(expectedConfig, model.Config);

        Dictionary<string, Tensor> inputs = SafeTensors.Load(Path.Combine(fixtureCase.Folder, "inputs.safetensors"));
        Dictionary<string, Tensor> expected = SafeTensors.Load(Path.Combine(fixtureCase.Folder, "expected.safetensors"));
        Tensor pixels = inputs["pixels"];
        Tensor tokens = inputs["tokens"];
        var actual = new Dictionary<string, Tensor>
        {
            ["image_features"] = model.EncodeImage(pixels),
            ["text_features"] = model.EncodeText(tokens),
        };
        using (no_grad())
        {
            (actual["logits_per_image"], actual["logits_per_text"]) = model.forward(pixels, tokens);
        }

        foreach (string name in ComparedOutputs)
        {
            double allowed = fixtureCase.IsHalfPrecision
                ? fixtureCase.HalfPrecisionError(name) + HalfPrecisionSlack
                : Float32AbsoluteTolerance;
            double relative = fixtureCase.IsHalfPrecision ? 0 : Float32RelativeTolerance;
            Tensor want = expected[name];
            Tensor excess = ((actual[name] - want).abs() - (allowed + (relative * want.abs()))).max();
            Assert.True(
                excess.item<float>() <= 0,
                $"{fixture}/{file}: {name} differs by up to {(actual[name] - want).abs().max().item<float>():G4}, allowed {allowed:G4} + {relative:G2} x |want|.");
        }
    }

    [Theory]
    [MemberData(nameof(CheckpointFiles))]
    public void Open_ReadsFixtureWeightsExactly_ForEachCheckpointFile(string fixture, string file)
    {
        using var scope = NewDisposeScope();
        var fixtureCase = new FixtureCase(fixture, file);
        Dictionary<string, Tensor> reference = SafeTensors.Load(Path.Combine(fixtureCase.Folder, "state_dict.safetensors"));
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(fixtureCase.LoadPath);
        Dictionary<string, Tensor> loaded = checkpoint.LoadStateDict();

        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        foreach ((string key, Tensor want) in reference)
        {
            Tensor got = loaded[key];
            Assert.Equal(want.dtype, got.dtype);
            Assert.Equal(want.shape, got.shape);

            // Half-precision files hold the float32 weights rounded to nearest-even half precision.
            Tensor expectedValue = fixtureCase.StoredAsHalf(key) ? want.to_type(ScalarType.Float16).to_type(ScalarType.Float32) : want;
            Assert.True(got.equal(expectedValue).all().item<bool>(), $"{fixture}/{file}: tensor '{key}' differs from the fixture weights.");
        }
    }

    [Theory]
    [MemberData(nameof(CheckpointFiles))]
    public void Open_KeepsManifestKeyOrder_ForEachCheckpointFile(string fixture, string file)
    {
        var fixtureCase = new FixtureCase(fixture, file);
        if (fixtureCase.IsHuggingFace)
        {
            return; // transformers keys are renamed and regrouped; their order is not the reference order.
        }

        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(fixtureCase.LoadPath);
        string[] expected = fixtureCase.ManifestKeys
            .Where(key => !ReleaseScalars.Contains(key))
            .Select(key => key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key)
            .ToArray();
        Assert.Equal(expected, checkpoint.Tensors.Select(t => t.Name).ToArray());
    }

    [Theory]
    [MemberData(nameof(CheckpointFiles))]
    public void Open_RecognisesFormat_ForEachCheckpointFile(string fixture, string file)
    {
        var fixtureCase = new FixtureCase(fixture, file);
        using PretrainedCheckpoint checkpoint = PretrainedCheckpoint.Open(fixtureCase.LoadPath);
        CheckpointFormat expected = fixtureCase.Variant switch
        {
            "openai_jit" or "openai_fp16_jit" => CheckpointFormat.TorchScriptArchive,
            "state_dict" or "openclip_checkpoint" => CheckpointFormat.TorchSaveArchive,
            "hf" or "hf_legacy" => CheckpointFormat.HuggingFaceFolder,
            _ => throw new InvalidOperationException($"The manifest names an unknown variant '{fixtureCase.Variant}'."),
        };
        Assert.Equal(expected, checkpoint.Format);
    }

    internal static JsonObject ReadManifest(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>One checkpoint file of one fixture and what its manifest says about it.</summary>
    private sealed class FixtureCase
    {
        private readonly JsonObject entry;

        public FixtureCase(string fixture, string file)
        {
            Folder = Path.Combine(TestPaths.GoldenModels, fixture);
            string checkpoints = Path.Combine(Folder, "checkpoints");
            entry = ReadManifest(Path.Combine(checkpoints, "manifest.json"))["files"]![file]!.AsObject();
            Variant = entry["variant"]!.GetValue<string>();

            // transformers files are loaded as the folder that holds them.
            string? subfolder = Path.GetDirectoryName(file);
            LoadPath = string.IsNullOrEmpty(subfolder) ? Path.Combine(checkpoints, file) : Path.Combine(checkpoints, subfolder);
        }

        public string Folder { get; }

        public string Variant { get; }

        public string LoadPath { get; }

        public bool IsHuggingFace => Variant.StartsWith("hf", StringComparison.Ordinal);

        public bool IsHalfPrecision => Variant.Contains("fp16", StringComparison.Ordinal);

        public IEnumerable<string> ManifestKeys => entry["tensors"]!.AsObject().Select(pair => pair.Key);

        public bool StoredAsHalf(string key) =>
            entry["tensors"]?[key]?.GetValue<string>().StartsWith("F16", StringComparison.Ordinal) == true;

        public double HalfPrecisionError(string output) =>
            entry["verification"]!["fp16_cast_back_to_f32_max_abs_diff_vs_expected"]![output]!.GetValue<double>();
    }
}
