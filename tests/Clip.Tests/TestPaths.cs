using Xunit;

namespace Clip.Tests;

/// <summary>Locations of the repository and of the reference fixtures used by the tests.</summary>
internal static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that contains Clip.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// Resolves a fixture location from an environment variable, or from a default path relative to the
    /// repository root. A relative value of the variable is taken relative to the repository root too.
    /// </summary>
    public static string FromEnvironment(string variable, string defaultRelativePath)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        string path = string.IsNullOrWhiteSpace(value) ? defaultRelativePath : value;
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(RepositoryRoot, path));
    }

    /// <summary>Folder of model fixtures (<c>CLIP_GOLDEN_MODELS</c>).</summary>
    public static string GoldenModels => FromEnvironment("CLIP_GOLDEN_MODELS", "../shared/golden/models");

    /// <summary>Tokenizer cases (<c>CLIP_GOLDEN_TOKENIZER</c>).</summary>
    public static string GoldenTokenizer => FromEnvironment("CLIP_GOLDEN_TOKENIZER", "../shared/golden/tokenizer.jsonl");

    /// <summary>Preprocessing cases (<c>CLIP_GOLDEN_PREPROCESS</c>).</summary>
    public static string GoldenPreprocess => FromEnvironment("CLIP_GOLDEN_PREPROCESS", "../shared/golden/preprocess");

    /// <summary>The OpenAI BPE vocabulary shipped beside the repository.</summary>
    public static string OpenAiVocabulary => Path.GetFullPath(Path.Combine(RepositoryRoot, "../shared/clip-bpe/bpe_simple_vocab_16e6.txt.gz"));

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Clip.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName
            ?? throw new InvalidOperationException($"No Clip.sln above '{AppContext.BaseDirectory}'; run the tests from a checkout of the repository.");
    }
}

/// <summary>
/// Tests that read TorchSharp's live-tensor statistics or measure process memory. They must not run
/// beside other tests, because dispose scopes and memory are shared across the process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    /// <summary>The collection name to put in <c>[Collection(...)]</c>.</summary>
    public const string Name = "Serial TorchSharp";
}
