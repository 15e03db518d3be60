namespace Clip.Cli.Emoji;

/// <summary>
/// A folder of npm package tarballs, each stored beside a <c>.sha512</c> file with the integrity string npm
/// reported when it was downloaded. A tarball is reused only when its SHA-512 digest still matches.
/// </summary>
public sealed class NpmPackageCache
{
    /// <summary>The extension of the file that records a tarball's integrity string.</summary>
    public const string IntegrityFileExtension = ".sha512";

    private readonly NpmClient _npm;

    /// <summary>Creates a cache over a folder.</summary>
    /// <param name="directory">The cache folder; created when a package is first stored.</param>
    /// <param name="npm">The npm client that downloads missing packages.</param>
    public NpmPackageCache(string directory, NpmClient npm)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(npm);
        Directory = Path.GetFullPath(directory);
        _npm = npm;
    }

    /// <summary>The cache folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>Returns the path of a verified tarball, downloading it when it is missing or does not match its recorded digest.</summary>
    /// <param name="package">The package and version.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <returns>The tarball, its integrity string, and whether it was downloaded now.</returns>
    /// <exception cref="NpmNotFoundException">The tarball must be downloaded and npm could not be started.</exception>
    /// <exception cref="InvalidDataException">The downloaded file does not match the integrity npm reported.</exception>
    public async Task<CachedPackage> GetAsync(NpmPackageSpec package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        string tarball = Path.Combine(Directory, package.TarballFileName);
        string integrityFile = tarball + IntegrityFileExtension;
        if (File.Exists(integrityFile))
        {
            string recorded = (await File.ReadAllTextAsync(integrityFile, cancellationToken).ConfigureAwait(false)).Trim();
            if (SubresourceIntegrity.Matches(tarball, recorded))
            {
                return new CachedPackage(package, tarball, recorded, Downloaded: false);
            }
        }

        // Download into a fresh folder, check, then move into place, so an interrupted run leaves no
        // tarball that looks complete.
        string staging = Path.Combine(Directory, ".download-" + Guid.NewGuid().ToString("N"));
        try
        {
            NpmPackResult packed = await _npm.PackAsync(package, staging, cancellationToken).ConfigureAwait(false);
            if (!SubresourceIntegrity.Matches(packed.TarballPath, packed.Integrity))
            {
                throw new InvalidDataException($"The tarball of {package} does not match the integrity npm reported ({packed.Integrity}); delete '{Directory}' and run again.");
            }

            File.Move(packed.TarballPath, tarball, overwrite: true);
            await File.WriteAllTextAsync(integrityFile, packed.Integrity + Environment.NewLine, cancellationToken).ConfigureAwait(false);
            return new CachedPackage(package, tarball, packed.Integrity, Downloaded: true);
        }
        finally
        {
            if (System.IO.Directory.Exists(staging))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
        }
    }
}

/// <summary>A verified package tarball in the cache.</summary>
/// <param name="Package">The package and version.</param>
/// <param name="TarballPath">The <c>.tgz</c> file.</param>
/// <param name="Integrity">Its SHA-512 integrity string.</param>
/// <param name="Downloaded">Whether it was downloaded by this call rather than found in the cache.</param>
public sealed record CachedPackage(NpmPackageSpec Package, string TarballPath, string Integrity, bool Downloaded);
