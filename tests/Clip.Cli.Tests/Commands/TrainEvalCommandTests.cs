using System.Text.Json;
using Clip.Cli.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Cli.Tests.Commands;

public sealed class TrainEvalCommandTests
{
    [Fact]
    public async Task TrainThenEval_TinyCsv_WritesModelAndMetrics()
    {
        using var temp = new TempDirectory();
        string csv = WriteDataset(temp);
        string model = temp.Combine("model");

        (int trainExit, string trainOutput, string trainError) = await CliRunner.RunAsync(
            "train", "--data", csv, "--caption-column", "label", "--output", model, "--preset", "vit-tiny", "--steps", "2", "--batch-size", "4", "--json", "--seed", "3");
        Assert.True(trainExit == 0, trainError);
        Assert.Equal(2, JsonDocument.Parse(trainOutput).RootElement.GetProperty("steps").GetInt32());

        (int zeroShotExit, string zeroShotOutput, string zeroShotError) = await CliRunner.RunAsync("eval", "--model", model, "--data", csv, "--json");
        Assert.True(zeroShotExit == 0, zeroShotError);
        JsonElement metrics = JsonDocument.Parse(zeroShotOutput).RootElement.GetProperty("metrics");
        Assert.Equal(0.5, metrics.GetProperty("chance top-1").GetDouble());

        (int retrievalExit, string retrievalOutput, string retrievalError) = await CliRunner.RunAsync("eval", "--model", model, "--data", csv, "--task", "Retrieval", "--json");
        Assert.True(retrievalExit == 0, retrievalError);
        Assert.Equal(1.0, JsonDocument.Parse(retrievalOutput).RootElement.GetProperty("metrics").GetProperty("image-to-text R@10").GetDouble());

        (int probeExit, string probeOutput, string probeError) = await CliRunner.RunAsync("eval", "--model", model, "--data", csv, "--task", "LinearProbe", "--test-data", csv, "--json");
        Assert.True(probeExit == 0, probeError);
        JsonElement probeMetrics = JsonDocument.Parse(probeOutput).RootElement.GetProperty("metrics");
        Assert.Equal(0.5, probeMetrics.GetProperty("chance top-1").GetDouble());
        Assert.InRange(probeMetrics.GetProperty("top-1").GetDouble(), 0, 1);

        (int noTestExit, _, string noTestError) = await CliRunner.RunAsync("eval", "--model", model, "--data", csv, "--task", "LinearProbe");
        Assert.Equal(CliException.UsageExitCode, noTestExit);
        Assert.Contains("--test-data", noTestError);
    }

    [Fact]
    public async Task Train_MissingColumn_ListsColumns()
    {
        using var temp = new TempDirectory();
        string csv = WriteDataset(temp);

        (int exitCode, _, string error) = await CliRunner.RunAsync("train", "--data", csv, "--output", temp.Combine("model"));

        Assert.Equal(CliException.UsageExitCode, exitCode);
        Assert.Contains("Column 'caption' is missing", error);
        Assert.Contains("image, label", error);
    }

    [Fact]
    public void ParseCsv_QuotedFields()
    {
        List<List<string>> records = TabularFile.ParseCsv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\r\n", "test.csv");

        Assert.Equal(["a", "b"], records[0]);
        Assert.Equal(["x, y", "say \"hi\""], records[1]);
    }

    private static string WriteDataset(TempDirectory temp)
    {
        var lines = new List<string> { "image,label" };
        for (int i = 0; i < 6; i++)
        {
            bool red = i % 2 == 0;
            using var image = new Image<Rgb24>(32, 32, red ? new Rgb24(220, 30, 30) : new Rgb24(30, 30, 220));
            image.SaveAsPng(temp.Combine($"image{i}.png"));
            lines.Add($"image{i}.png,{(red ? "red" : "blue")}");
        }

        string csv = temp.Combine("data.csv");
        File.WriteAllLines(csv, lines);
        return csv;
    }
}
