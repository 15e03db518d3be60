using Clip.Tests.TestModels;
using Xunit;

namespace Clip.Packaging.Tests;

/// <summary>
/// A new console application outside the repository that references the packed library from a local
/// feed, plus TorchSharp-cpu, exactly as a user's application would, and nothing else.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed class ConsumerApplicationTests(LocalFeedFixture feed)
{
    private const string ApplicationName = "ClipConsumer";

    [Fact]
    public void ConsumerApplication_ClassifiesImage_WithOnlyPackageReferences()
    {
        string scratch = feed.CreateScratchDirectory("consumer");
        string applicationDirectory = Path.Combine(scratch, ApplicationName);
        WriteNuGetConfig(scratch);

        // A model that distinguishes colours, saved by the library, and a red image it has not seen.
        ColorClipModel trained = ColorClipModel.Shared;
        string modelPath = Path.Combine(scratch, "color-clip");
        trained.Model.SavePretrained(modelPath);
        string imagePath = Path.Combine(scratch, "red.png");
        File.WriteAllBytes(imagePath, ColorClipModel.CreateImage(ColorClipModel.Colors[0].Color, offset: 9));
        string[] labels = ColorClipModel.Colors.Select(color => color.Name).ToArray();
        string template = ColorClipModel.Prompt("{}");

        // The variables of this build would leak into the application's build; a user has neither.
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = null,
            ["CLIP_ARTIFACTS"] = null,
        };
        DotNetCommand.Run(scratch, ["new", "console", "--name", ApplicationName, "--output", applicationDirectory, "--no-update-check"], environment);
        DotNetCommand.Run(applicationDirectory, ["add", "package", "Clip", "--version", feed.Version], environment);
        DotNetCommand.Run(applicationDirectory, ["add", "package", "TorchSharp-cpu", "--version", LocalFeedFixture.TorchSharpVersion], environment);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(applicationDirectory, "Program.cs"), overwrite: true);

        string output = DotNetCommand.Run(
            applicationDirectory,
            ["run", "--configuration", "Release", "--", modelPath, imagePath, template, .. labels],
            environment);

        Assert.Contains($"best: {labels[0]} (", output);
    }

    /// <summary>
    /// Writes a nuget.config that adds the local feed to the machine's sources and gives the application a
    /// package folder of its own. The test build's package folder serves as a read-only fallback, so
    /// TorchSharp's large native packages are not extracted a second time.
    /// </summary>
    private void WriteNuGetConfig(string directory)
    {
        string config = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(directory, "packages")}" />
              </config>
              <packageSources>
                <add key="clip-local-feed" value="{feed.FeedDirectory}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="test-build-packages" value="{LocalFeedFixture.NuGetPackageRoot}" />
              </fallbackPackageFolders>
            </configuration>
            """;
        File.WriteAllText(Path.Combine(directory, "nuget.config"), config);
    }
}
