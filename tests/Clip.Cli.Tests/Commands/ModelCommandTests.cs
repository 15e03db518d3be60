using System.Text.Json;
using Clip.Modeling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Cli.Tests.Commands;

/// <summary>Runs info, zero-shot and embed on a randomly initialised tiny model saved to a temporary folder.</summary>
public sealed class ModelCommandTests : IClassFixture<ModelCommandTests.SavedModel>
{
    private readonly SavedModel _saved;

    public ModelCommandTests(SavedModel saved)
    {
        _saved = saved;
    }

    [Fact]
    public async Task Info_Json_ReportsArchitecture()
    {
        (int exitCode, string output, string error) = await CliRunner.RunAsync("info", _saved.ModelPath, "--json");

        Assert.True(exitCode == 0, error);
        using JsonDocument summary = JsonDocument.Parse(output);
        Assert.StartsWith("ViT", summary.RootElement.GetProperty("vision").GetString());
        Assert.True(summary.RootElement.GetProperty("parameters").GetInt64() > 0);
    }

    [Fact]
    public async Task ZeroShot_Json_ProbabilitiesSumBelowOne()
    {
        (int exitCode, string output, string error) = await CliRunner.RunAsync(
            "zero-shot", _saved.Images[0], _saved.Images[1], "--model", _saved.ModelPath, "--labels", "red", "blue", "green", "--top", "2", "--json");

        Assert.True(exitCode == 0, error);
        using JsonDocument results = JsonDocument.Parse(output);
        Assert.Equal(2, results.RootElement.GetArrayLength());
        JsonElement predictions = results.RootElement[0].GetProperty("predictions");
        Assert.Equal(2, predictions.GetArrayLength());
        double sum = predictions.EnumerateArray().Sum(prediction => prediction.GetProperty("probability").GetDouble());
        Assert.InRange(sum, 0, 1.0001);
    }

    [Fact]
    public async Task ZeroShot_MissingModel_OneLineError()
    {
        (int exitCode, _, string error) = await CliRunner.RunAsync("zero-shot", _saved.Images[0], "--model", "/no/such/model", "--labels", "a");

        Assert.Equal(CliException.UsageExitCode, exitCode);
        Assert.Equal("clip: error: Model '/no/such/model' was not found: give a folder written by 'clip train' or SavePretrained, or a checkpoint file.", error.Trim());
    }

    [Fact]
    public async Task Embed_ImageFolder_WritesNpy()
    {
        string output = Path.Combine(_saved.Folder.Path, "images.npy");

        (int exitCode, _, string error) = await CliRunner.RunAsync("embed", "--model", _saved.ModelPath, "--images", _saved.ImageFolder, "--output", output);

        Assert.True(exitCode == 0, error);
        byte[] bytes = File.ReadAllBytes(output);
        Assert.Contains("'shape': (2, 32)", System.Text.Encoding.ASCII.GetString(bytes, 0, 128));
    }

    [Fact]
    public async Task Embed_Texts_WritesJsonLines()
    {
        string output = Path.Combine(_saved.Folder.Path, "texts.jsonl");

        (int exitCode, _, string error) = await CliRunner.RunAsync("embed", "--model", _saved.ModelPath, "--texts", "a cat", "a dog", "--output", output);

        Assert.True(exitCode == 0, error);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        Assert.Equal("a cat", first.RootElement.GetProperty("id").GetString());
        Assert.Equal(32, first.RootElement.GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task Embed_BothInputs_UsageError()
    {
        (int exitCode, _, string error) = await CliRunner.RunAsync("embed", "--model", _saved.ModelPath, "--texts", "a", "--images", "b", "--output", "x.npy");

        Assert.Equal(CliException.UsageExitCode, exitCode);
        Assert.Contains("Give either --images or --texts", error);
    }

    public sealed class SavedModel : IDisposable
    {
        public SavedModel()
        {
            Folder = new TempDirectory();
            ModelPath = Folder.Combine("model");
            using (var model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny)))
            {
                model.SavePretrained(ModelPath);
            }

            ImageFolder = Folder.Combine("images");
            Directory.CreateDirectory(ImageFolder);
            Images = [WriteImage("red.png", new Rgb24(255, 0, 0)), WriteImage("blue.png", new Rgb24(0, 0, 255))];
        }

        public TempDirectory Folder { get; }

        public string ModelPath { get; }

        public string ImageFolder { get; }

        public string[] Images { get; }

        public void Dispose() => Folder.Dispose();

        private string WriteImage(string name, Rgb24 colour)
        {
            string path = Path.Combine(ImageFolder, name);
            using var image = new Image<Rgb24>(40, 40, colour);
            image.SaveAsPng(path);
            return path;
        }
    }
}
