namespace Clip.Cli.Emoji;

/// <summary>An npm package at an exact version, as <c>npm pack</c> takes it (<c>name@version</c>).</summary>
public sealed record NpmPackageSpec
{
    /// <summary>Creates a package reference.</summary>
    /// <param name="name">The package name, for example <c>emojibase-data</c>.</param>
    /// <param name="version">The exact version, for example <c>17.0.0</c>.</param>
    /// <exception cref="ArgumentException">A value is empty or contains whitespace or <c>@</c> where npm does not allow it.</exception>
    public NpmPackageSpec(string name, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (name.Any(char.IsWhiteSpace) || name.LastIndexOf('@') > 0)
        {
            throw new ArgumentException($"Package name '{name}' is invalid: it must not contain whitespace or '@' after the scope.", nameof(name));
        }

        if (version.Any(char.IsWhiteSpace) || version.Contains('@'))
        {
            throw new ArgumentException($"Package version '{version}' is invalid: it must be an exact version such as 1.2.3.", nameof(version));
        }

        Name = name;
        Version = version;
    }

    /// <summary>The package name.</summary>
    public string Name { get; }

    /// <summary>The exact version.</summary>
    public string Version { get; }

    /// <summary>The tarball file name that <c>npm pack</c> writes (<c>name-version.tgz</c>, a scope's <c>@</c> dropped and <c>/</c> made <c>-</c>).</summary>
    public string TarballFileName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary>Returns <c>name@version</c>.</summary>
    public override string ToString() => $"{Name}@{Version}";
}
