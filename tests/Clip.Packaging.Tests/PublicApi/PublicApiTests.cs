using System.Reflection;
using PublicApiGenerator;
using Xunit;

namespace Clip.Packaging.Tests.PublicApi;

/// <summary>
/// Compares the public surface of each shipped assembly with its approved listing, so that an accidental
/// breaking change (a removed or renamed member, a changed signature) fails the build.
/// </summary>
/// <remarks>
/// After an intended change, regenerate the listings and review their diff before committing:
/// <c>CLIP_UPDATE_PUBLIC_API=1 dotnet test tests/Clip.Packaging.Tests --filter "FullyQualifiedName~PublicApi"</c>.
/// </remarks>
public sealed class PublicApiTests
{
    /// <summary>Set to 1 to rewrite the approved listings from the current build.</summary>
    public const string UpdateVariable = "CLIP_UPDATE_PUBLIC_API";

    public static TheoryData<string> ShippedAssemblies => new(LocalFeedFixture.PackedProjects.Keys);

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void PublicApi_MatchesApprovedListing(string assemblyName)
    {
        string actual = GenerateListing(Assembly.Load(assemblyName));
        string approvedPath = ApprovedListingPath(assemblyName);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(approvedPath, actual);
            return;
        }

        string approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : string.Empty;
        Assert.True(approved == actual, DescribeDifference(assemblyName, approvedPath, approved, actual));
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void PublicApi_HasNoPublicMutableFields(string assemblyName)
    {
        // Constants are fine; anything else a caller could reassign belongs behind a property.
        string[] fields = Assembly.Load(assemblyName).GetExportedTypes()
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(field => !field.IsLiteral && !(field.IsInitOnly && field.IsStatic) && !type.IsEnum)
                .Select(field => $"{type.FullName}.{field.Name}"))
            .ToArray();

        Assert.True(fields.Length == 0, $"{assemblyName} exposes public fields: {string.Join(", ", fields)}. Make them internal or wrap them in properties.");
    }

    private static string GenerateListing(Assembly assembly)
    {
        var options = new ApiGeneratorOptions
        {
            // Assembly attributes (target framework, InternalsVisibleTo) are not API.
            IncludeAssemblyAttributes = false,
        };
        return Normalize(assembly.GeneratePublicApi(options));
    }

    private static string ApprovedListingPath(string assemblyName) =>
        Path.Combine(LocalFeedFixture.RepositoryRoot, "tests", "Clip.Packaging.Tests", "PublicApi", $"{assemblyName}.approved.txt");

    private static string Normalize(string listing) => listing.ReplaceLineEndings("\n").TrimEnd() + "\n";

    private static string DescribeDifference(string assemblyName, string approvedPath, string approved, string actual)
    {
        string[] approvedLines = approved.Split('\n');
        string[] actualLines = actual.Split('\n');
        IEnumerable<string> removed = approvedLines.Except(actualLines).Select(line => "- " + line.Trim());
        IEnumerable<string> added = actualLines.Except(approvedLines).Select(line => "+ " + line.Trim());

        return $"The public API of {assemblyName} differs from {approvedPath}.\n"
            + string.Join('\n', removed.Concat(added).Take(60))
            + $"\nIf the change is intended, run the tests with {UpdateVariable}=1 to rewrite the listing, and commit it.";
    }
}
