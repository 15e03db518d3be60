using System.Reflection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Cli.Tests.Samples;

/// <summary>Runs the three sample programs in-process on tiny generated data.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    /// <summary>Tests that replace <see cref="Console.Out"/>.</summary>
    public const string Name = "Console redirection";
}

[Collection(ConsoleCollection.Name)]
public sealed class SampleTests
{
    [Fact]
    public void Samples_TrainThenClassifyThenSearch()
    {
        using var temp = new TempDirectory();
        string csv = WriteCaptionedImages(temp);
        string model = temp.Combine("model");

        (int trainExit, string trainOutput) = RunSample("Clip.Samples.TrainCsv", csv, model, "3", "vit-tiny");
        Assert.True(trainExit == 0, trainOutput);
        Assert.Contains("Trained 3 steps on 8 images", trainOutput);

        (int zeroShotExit, string zeroShotOutput) = RunSample("Clip.Samples.ZeroShot", model, "red square,blue square", temp.Combine("images", "image0.png"));
        Assert.True(zeroShotExit == 0, zeroShotOutput);
        Assert.Contains("image0.png: ", zeroShotOutput);

        (int searchExit, string searchOutput) = RunSample("Clip.Samples.ImageSearch", model, temp.Combine("images"), "a red square", "3");
        Assert.True(searchExit == 0, searchOutput);
        Assert.Contains("3. ", searchOutput);
    }

    private static (int ExitCode, string Output) RunSample(string assemblyName, params string[] args)
    {
        MethodInfo entryPoint = Assembly.Load(assemblyName).EntryPoint!;
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            object? exitCode = entryPoint.Invoke(null, [args]);
            return (exitCode is int code ? code : 0, output.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    /// <summary>Writes eight 32 px images (red or blue squares) and a CSV of captions beside them.</summary>
    private static string WriteCaptionedImages(TempDirectory temp)
    {
        string folder = temp.Combine("images");
        Directory.CreateDirectory(folder);
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < 8; i++)
        {
            bool red = i % 2 == 0;
            using var image = new Image<Rgb24>(32, 32, red ? new Rgb24(220, 30, 30) : new Rgb24(30, 30, 220));
            image.SaveAsPng(Path.Combine(folder, $"image{i}.png"));
            lines.Add($"images/image{i}.png,a {(red ? "red" : "blue")} square");
        }

        string csv = temp.Combine("captions.csv");
        File.WriteAllLines(csv, lines);
        return csv;
    }
}
