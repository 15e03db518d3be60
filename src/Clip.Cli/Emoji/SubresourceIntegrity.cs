using System.Security.Cryptography;

namespace Clip.Cli.Emoji;

/// <summary>
/// SHA-512 integrity strings in the form npm prints and package-lock files store
/// (<c>sha512-</c> followed by the Base64 digest).
/// </summary>
public static class SubresourceIntegrity
{
    private const string Sha512Prefix = "sha512-";

    /// <summary>Computes the integrity string of a file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The string, for example <c>sha512-ZRex…==</c>.</returns>
    public static string ComputeSha512(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Sha512Prefix + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>Checks a file against an integrity string.</summary>
    /// <param name="path">The file; a missing file does not match.</param>
    /// <param name="integrity">The expected value; only SHA-512 is accepted.</param>
    /// <returns>Whether the file exists and its SHA-512 digest equals the expected one.</returns>
    /// <exception cref="ArgumentException"><paramref name="integrity"/> is not a SHA-512 integrity string.</exception>
    public static bool Matches(string path, string integrity)
    {
        ArgumentNullException.ThrowIfNull(integrity);
        if (!integrity.StartsWith(Sha512Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Integrity '{integrity}' is not supported: expected a '{Sha512Prefix}' value.", nameof(integrity));
        }

        return File.Exists(path) && string.Equals(ComputeSha512(path), integrity.Trim(), StringComparison.Ordinal);
    }
}
