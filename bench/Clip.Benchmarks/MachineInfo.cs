using System.Globalization;

namespace Clip.Benchmarks;

/// <summary>The processor, core count, memory and load of the machine, read from /proc on Linux.</summary>
internal static class MachineInfo
{
    /// <summary>Returns "processor model | N logical cores | M GiB memory", with "unknown" where /proc is missing.</summary>
    public static string Describe()
    {
        string model = ReadField("/proc/cpuinfo", "model name") ?? "unknown processor";
        string memory = ReadField("/proc/meminfo", "MemTotal") is string total
            ? (long.Parse(total.Split(' ')[0], CultureInfo.InvariantCulture) / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " GiB memory"
            : "unknown memory";
        return $"{model} | {Environment.ProcessorCount} logical cores | {memory}";
    }

    /// <summary>Returns the 1, 5 and 15 minute load averages, or "unknown".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? ReadField(string path, string field)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        // Lines look like "model name\t: AMD EPYC" and "MemTotal:       24589436 kB".
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
