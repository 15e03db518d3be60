using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>Runs <c>npm pack</c> to download package tarballs from the registry npm is configured for.</summary>
public sealed class NpmClient
{
    /// <summary>Creates a client.</summary>
    /// <param name="executable">
    /// The npm executable name or path; <see langword="null"/> uses <c>npm</c> from PATH (<c>npm.cmd</c> on Windows).
    /// </param>
    public NpmClient(string? executable = null)
    {
        Executable = executable ?? (OperatingSystem.IsWindows() ? "npm.cmd" : "npm");
    }

    /// <summary>The npm executable name or path.</summary>
    public string Executable { get; }

    /// <summary>Downloads one package tarball with <c>npm pack</c>.</summary>
    /// <param name="package">The package and version.</param>
    /// <param name="destination">The folder to write the tarball to; created when missing.</param>
    /// <param name="cancellationToken">Stops waiting and kills npm.</param>
    /// <returns>The path of the tarball and the SHA-512 integrity string npm reported for it.</returns>
    /// <exception cref="NpmNotFoundException">npm could not be started.</exception>
    /// <exception cref="InvalidOperationException">npm failed or its output could not be read.</exception>
    public async Task<NpmPackResult> PackAsync(NpmPackageSpec package, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        Directory.CreateDirectory(destination);

        var startInfo = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = destination,
        };
        foreach (string argument in new[] { "pack", package.ToString(), "--json", "--pack-destination", destination })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new NpmNotFoundException(Executable, exception);
        }

        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string output = await standardOutput.ConfigureAwait(false);
        string error = await standardError.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'npm pack {package}' failed with exit code {process.ExitCode}: {DescribeFailure(output, error)}");
        }

        return ParsePackOutput(package, destination, output);
    }

    /// <summary>Reads the file name and integrity from the JSON that <c>npm pack --json</c> prints.</summary>
    internal static NpmPackResult ParsePackOutput(NpmPackageSpec package, string destination, string output)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(output);
            JsonElement entry = document.RootElement[0];
            string fileName = entry.GetProperty("filename").GetString() ?? package.TarballFileName;
            string integrity = entry.GetProperty("integrity").GetString()
                ?? throw new InvalidOperationException($"'npm pack {package}' reported no integrity.");

            // The file name comes from npm; keep only its last segment so it cannot point outside the folder.
            return new NpmPackResult(Path.Combine(destination, Path.GetFileName(fileName)), integrity);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The output of 'npm pack {package} --json' could not be read: {exception.Message}", exception);
        }
    }

    /// <summary>Returns npm's reason for a failure: the JSON error summary that <c>--json</c> prints, else a line of standard error.</summary>
    internal static string DescribeFailure(string output, string error)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(output);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out JsonElement failure)
                && failure.TryGetProperty("summary", out JsonElement summary)
                && summary.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall back to standard error.
        }

        return FirstErrorLine(error);
    }

    /// <summary>Picks the line of npm's error output that names the failure, skipping the log-file notice.</summary>
    internal static string FirstErrorLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? reason = lines.FirstOrDefault(line =>
            (line.StartsWith("npm error", StringComparison.Ordinal) || line.StartsWith("npm ERR!", StringComparison.Ordinal))
            && !line.Contains(" code ", StringComparison.Ordinal)
            && !line.Contains("complete log", StringComparison.OrdinalIgnoreCase));
        return reason ?? (lines.Length == 0 ? "npm printed no error message." : lines[^1]);
    }
}

/// <summary>A tarball that <c>npm pack</c> wrote.</summary>
/// <param name="TarballPath">The path of the <c>.tgz</c> file.</param>
/// <param name="Integrity">The SHA-512 integrity string npm reported (<c>sha512-…</c>).</param>
public sealed record NpmPackResult(string TarballPath, string Integrity);
