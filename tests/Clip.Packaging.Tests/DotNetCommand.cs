using System.Diagnostics;
using System.Text;

namespace Clip.Packaging.Tests;

/// <summary>Runs the <c>dotnet</c> command line as a child process, the way a developer would in a terminal.</summary>
internal static class DotNetCommand
{
    /// <summary>The longest any single command may run before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(8);

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> and
    /// returns its combined output.
    /// </summary>
    /// <param name="workingDirectory">The folder the command runs in.</param>
    /// <param name="arguments">The arguments after <c>dotnet</c>, each passed as one argument.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    /// <param name="timeout">The time after which the command and its child processes are killed;
    /// <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="program">The program to start in place of <c>dotnet</c>, such as an installed tool.</param>
    /// <exception cref="InvalidOperationException">The command exited with a non-zero code or timed out;
    /// the message contains the command line and its output.</exception>
    public static string Run(
        string workingDirectory,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        string program = "dotnet")
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        IsolateFromParentBuild(startInfo.Environment);
        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        string commandLine = program + " " + string.Join(' ', startInfo.ArgumentList);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        TimeSpan limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new InvalidOperationException(
                $"'{commandLine}' in '{workingDirectory}' timed out after {limit.TotalSeconds:F0} s. Output:\n{Snapshot(output)}");
        }

        // The parameterless wait flushes the asynchronous output readers.
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{commandLine}' in '{workingDirectory}' failed with exit code {process.ExitCode}. Output:\n{Snapshot(output)}");
        }

        return Snapshot(output);
    }

    /// <summary>
    /// Removes the variables through which a running build or test host steers child MSBuild processes
    /// (SDK paths, node reuse), so that the child behaves like a build started from a fresh terminal.
    /// </summary>
    private static void IsolateFromParentBuild(IDictionary<string, string?> environment)
    {
        string[] inherited = environment.Keys
            .Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        foreach (string name in inherited)
        {
            environment.Remove(name);
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1";

        // Build servers (MSBuild nodes, the compiler server) outlive the command and keep its output
        // pipes open, so the test would wait for them. A build without servers exits completely.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["UseSharedCompilation"] = "false";
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
