using System.Text;
using Clip.Text;
using Xunit;

namespace Clip.Tests.Text;

public sealed class ClipVocabularyTests
{
    private const int OpenAiVocabularySize = 49408;
    private const int OpenAiMergeCount = 48894;

    [Fact]
    public void OpenAi_HasReferenceSizeAndSpecialIds()
    {
        ClipVocabulary vocabulary = ClipVocabulary.OpenAi;

        Assert.Equal(OpenAiVocabularySize, vocabulary.Count);
        Assert.Equal(OpenAiMergeCount, vocabulary.Merges.Count);
        Assert.Equal(49406, vocabulary.StartOfTextId);
        Assert.Equal(49407, vocabulary.EndOfTextId);
    }

    [Fact]
    public void OpenAi_ListsByteSymbolsFirst_ThenWordEndings()
    {
        ClipVocabulary vocabulary = ClipVocabulary.OpenAi;

        Assert.Equal("!", vocabulary.GetToken(0));
        Assert.Equal("!</w>", vocabulary.GetToken(256));
        Assert.Equal(320, vocabulary.Ids["a</w>"]);
    }

    [Fact]
    public void LoadOpenAiBpe_MatchesEmbeddedCopy_ForSharedFile()
    {
        ClipVocabulary loaded = ClipVocabulary.LoadOpenAiBpe(TestPaths.OpenAiVocabulary);

        Assert.Equal(ClipVocabulary.OpenAi.Count, loaded.Count);
        Assert.Equal(ClipVocabulary.OpenAi.Merges, loaded.Merges);
    }

    [Fact]
    public void HuggingFacePair_RoundTrips_OpenAiVocabulary()
    {
        string folder = Directory.CreateTempSubdirectory("clip-vocab-").FullName;
        try
        {
            string vocabPath = Path.Combine(folder, "vocab.json");
            string mergesPath = Path.Combine(folder, "merges.txt");

            ClipVocabulary.OpenAi.SaveHuggingFace(vocabPath, mergesPath);
            ClipVocabulary loaded = ClipVocabulary.LoadHuggingFace(vocabPath, mergesPath);

            Assert.Equal(ClipVocabulary.OpenAi.Count, loaded.Count);
            Assert.Equal(ClipVocabulary.OpenAi.Merges, loaded.Merges);
            Assert.StartsWith("#version: 0.2\n", File.ReadAllText(mergesPath));
            for (int id = 0; id < loaded.Count; id++)
            {
                Assert.Equal(ClipVocabulary.OpenAi.GetToken(id), loaded.GetToken(id));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TokenizerOnHuggingFacePair_GivesSameIds_AsDefault()
    {
        string folder = Directory.CreateTempSubdirectory("clip-vocab-").FullName;
        try
        {
            string vocabPath = Path.Combine(folder, "vocab.json");
            string mergesPath = Path.Combine(folder, "merges.txt");
            ClipVocabulary.OpenAi.SaveHuggingFace(vocabPath, mergesPath);
            var tokenizer = ClipTokenizer.Create(ClipVocabulary.LoadHuggingFace(vocabPath, mergesPath));
            const string Text = "A photo of Zürich's café at night 🌃 &amp; 1,000 people!";

            Assert.Equal(ClipTokenizer.CreateDefault().EncodeToIds(Text), tokenizer.EncodeToIds(Text));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LoadHuggingFace_Rejects_MergeLineWithoutTwoTokens()
    {
        using var vocabulary = Utf8("{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        using var merges = Utf8("#version: 0.2\na b c\n");

        var error = Assert.Throws<InvalidDataException>(() => ClipVocabulary.LoadHuggingFace(vocabulary, merges));

        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void LoadHuggingFace_Rejects_VocabularyWithoutEndToken()
    {
        using var vocabulary = Utf8("{\"a\": 0, \"<|startoftext|>\": 1}");
        using var merges = Utf8("#version: 0.2\n");

        var error = Assert.Throws<InvalidDataException>(() => ClipVocabulary.LoadHuggingFace(vocabulary, merges));

        Assert.Contains("<|endoftext|>", error.Message);
    }

    [Fact]
    public void LoadHuggingFace_Rejects_GapInIds()
    {
        using var vocabulary = Utf8("{\"a\": 0, \"<|startoftext|>\": 2, \"<|endoftext|>\": 3}");
        using var merges = Utf8("");

        var error = Assert.Throws<InvalidDataException>(() => ClipVocabulary.LoadHuggingFace(vocabulary, merges));

        Assert.Contains("id 1", error.Message);
    }

    [Fact]
    public void LoadHuggingFace_Rejects_MalformedJson()
    {
        using var vocabulary = Utf8("[1, 2]");
        using var merges = Utf8("");

        Assert.Throws<InvalidDataException>(() => ClipVocabulary.LoadHuggingFace(vocabulary, merges));
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));
}
