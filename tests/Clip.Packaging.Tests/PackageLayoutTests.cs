using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Xunit;

namespace Clip.Packaging.Tests;

/// <summary>The contents and metadata of the packed .nupkg and .snupkg files.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed class PackageLayoutTests(LocalFeedFixture feed)
{
    private static readonly string[] TargetFrameworks = ["net8.0", "net10.0"];

    /// <summary>Backend packages that an application chooses; the library must not pull one in.</summary>
    private static readonly string[] BackendPackagePrefixes = ["TorchSharp-", "libtorch"];

    public static TheoryData<string> PackageIds => new(LocalFeedFixture.PackedProjects.Keys);

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_ContainsAssemblyAndXmlDocs_ForEachTargetFramework(string id)
    {
        using ZipArchive package = feed.OpenPackage(id);

        foreach (string framework in TargetFrameworks)
        {
            Assert.Contains($"lib/{framework}/{id}.dll", EntryNames(package));
            Assert.Contains($"lib/{framework}/{id}.xml", EntryNames(package));
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_ContainsReadme_NamedInNuspec(string id)
    {
        using ZipArchive package = feed.OpenPackage(id);
        XElement metadata = ReadNuspecMetadata(package);

        string readme = Element(metadata, "readme").Value;

        Assert.Contains(readme, EntryNames(package));
        Assert.Contains("dotnet add package", ReadEntry(package, readme));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_DeclaresMitLicenseExpression(string id)
    {
        using ZipArchive package = feed.OpenPackage(id);

        XElement license = Element(ReadNuspecMetadata(package), "license");

        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_DependsOnNoTorchSharpBackend(string id)
    {
        using ZipArchive package = feed.OpenPackage(id);

        string[] dependencies = DependencyIds(ReadNuspecMetadata(package));

        Assert.DoesNotContain(dependencies, dependency =>
            BackendPackagePrefixes.Any(prefix => dependency.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void ClipNuspec_DependsOnTorchSharpBasePackage()
    {
        using ZipArchive package = feed.OpenPackage("Clip");

        Assert.Contains("TorchSharp", DependencyIds(ReadNuspecMetadata(package)));
    }

    [Fact]
    public void ExtensionsNuspec_DependsOnClipOfSameVersion()
    {
        using ZipArchive package = feed.OpenPackage("Clip.Extensions.AI");

        XElement[] clipDependencies = ReadNuspecMetadata(package).Descendants()
            .Where(element => element.Name.LocalName == "dependency" && element.Attribute("id")?.Value == "Clip")
            .ToArray();

        Assert.NotEmpty(clipDependencies);
        Assert.All(clipDependencies, dependency => Assert.Equal(feed.Version, dependency.Attribute("version")?.Value));
    }

    [Fact]
    public void ClipPackage_ContainsBuildTransitiveNativeCompatibilityStep()
    {
        using ZipArchive package = feed.OpenPackage("Clip");

        // NuGet imports buildTransitive/<package id>.targets into every project that references the
        // package, directly or through another package; the targets compile the C# file beside them.
        Assert.Contains("buildTransitive/Clip.targets", EntryNames(package));
        Assert.Contains("buildTransitive/ElfVersionPatcher.cs", EntryNames(package));
        Assert.Contains("$(MSBuildThisFileDirectory)ElfVersionPatcher.cs", ReadEntry(package, "buildTransitive/Clip.targets"));
    }

    [Fact]
    public void ClipPackage_ContainsThirdPartyNotices()
    {
        using ZipArchive package = feed.OpenPackage("Clip");

        string notices = ReadEntry(package, "THIRD-PARTY-NOTICES.txt");

        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", notices);
        Assert.Contains("Copyright (c) 2021 OpenAI", notices);
    }

    [Fact]
    public void ClipPackage_ContainsVocabularyLicense()
    {
        using ZipArchive package = feed.OpenPackage("Clip");

        Assert.Contains("Copyright (c) 2021 OpenAI", ReadEntry(package, "licenses/LICENSE-openai-clip.txt"));
    }

    [Theory]
    [InlineData("net8.0")]
    [InlineData("net10.0")]
    public void ClipAssembly_EmbedsOpenAiVocabulary(string framework)
    {
        using ZipArchive package = feed.OpenPackage("Clip");
        using var assembly = new MemoryStream(ReadBytes(package, $"lib/{framework}/Clip.dll"));
        using var reader = new PEReader(assembly);
        MetadataReader metadata = reader.GetMetadataReader();

        string[] resources = metadata.ManifestResources
            .Select(handle => metadata.GetString(metadata.GetManifestResource(handle).Name))
            .ToArray();

        Assert.Contains(resources, name => name.EndsWith("bpe_simple_vocab_16e6.txt.gz", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void SymbolPackage_ContainsPortablePdb_ForEachTargetFramework(string id)
    {
        using ZipArchive symbols = feed.OpenPackage(id, symbols: true);

        foreach (string framework in TargetFrameworks)
        {
            using var pdb = new MemoryStream(ReadBytes(symbols, $"lib/{framework}/{id}.pdb"));
            using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(pdb);

            Assert.True(provider.GetMetadataReader().Documents.Count > 0, $"{id} {framework}: the PDB lists no source documents.");
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void PackagedAssembly_IsDeterministic(string id)
    {
        using ZipArchive package = feed.OpenPackage(id);
        using var assembly = new MemoryStream(ReadBytes(package, $"lib/net10.0/{id}.dll"));
        using var reader = new PEReader(assembly);

        // A deterministic compilation marks its debug directory "Reproducible" (the PE/COFF extension
        // that the compiler emits with /deterministic).
        Assert.Contains(reader.ReadDebugDirectory(), entry => entry.Type == DebugDirectoryEntryType.Reproducible);
    }

    private static string[] EntryNames(ZipArchive package) =>
        package.Entries.Select(entry => entry.FullName).ToArray();

    private static string ReadEntry(ZipArchive package, string name)
    {
        ZipArchiveEntry entry = package.GetEntry(name)
            ?? throw new InvalidOperationException($"The package has no entry '{name}'. Entries: {string.Join(", ", EntryNames(package))}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static byte[] ReadBytes(ZipArchive package, string name)
    {
        ZipArchiveEntry entry = package.GetEntry(name)
            ?? throw new InvalidOperationException($"The package has no entry '{name}'. Entries: {string.Join(", ", EntryNames(package))}");
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static XElement ReadNuspecMetadata(ZipArchive package)
    {
        ZipArchiveEntry nuspec = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        return Element(XDocument.Load(stream).Root!, "metadata");
    }

    private static XElement Element(XElement parent, string localName) =>
        parent.Elements().SingleOrDefault(element => element.Name.LocalName == localName)
        ?? throw new InvalidOperationException($"The nuspec has no <{localName}> under <{parent.Name.LocalName}>.");

    private static string[] DependencyIds(XElement metadata) =>
        metadata.Descendants()
            .Where(element => element.Name.LocalName == "dependency")
            .Select(element => element.Attribute("id")!.Value)
            .Distinct()
            .ToArray();
}
