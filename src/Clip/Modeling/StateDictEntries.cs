using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>One state-dict entry: its key, the live tensor and whether it is a parameter (else a buffer).</summary>
internal readonly record struct StateDictEntry(string Name, Tensor Tensor, bool IsParameter);

/// <summary>Walks a module tree in PyTorch's state-dict order and checks a source dictionary against it.</summary>
internal static class StateDictEntries
{
    /// <summary>Yields each module's own parameters, then its own buffers, then its children's entries, depth first.</summary>
    public static IEnumerable<StateDictEntry> Enumerate(nn.Module module, string prefix)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            yield return new StateDictEntry(prefix + name, parameter, true);
        }

        foreach (var (name, buffer) in module.named_buffers(recurse: false))
        {
            yield return new StateDictEntry(prefix + name, buffer, false);
        }

        foreach (var (name, child) in module.named_children())
        {
            foreach (var entry in Enumerate(child, prefix + name + "."))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Compares keys and shapes; throws on a shape mismatch, or on any key difference when strict.</summary>
    public static StateDictLoadResult Check(IReadOnlyList<StateDictEntry> target, IReadOnlyDictionary<string, Tensor> source, bool strict)
    {
        var targetNames = new HashSet<string>(target.Select(entry => entry.Name));
        var missing = target.Where(entry => !source.ContainsKey(entry.Name)).Select(entry => entry.Name).ToList();
        var unexpected = source.Keys.Where(key => !targetNames.Contains(key)).ToList();
        var mismatched = target
            .Where(entry => source.TryGetValue(entry.Name, out var value) && !value.shape.SequenceEqual(entry.Tensor.shape))
            .Select(entry => $"{entry.Name}: expected [{string.Join(", ", entry.Tensor.shape)}], got [{string.Join(", ", source[entry.Name].shape)}]")
            .ToList();

        var problems = new List<string>();
        if (mismatched.Count > 0)
        {
            problems.Add($"{mismatched.Count} shape mismatch(es): {string.Join("; ", mismatched)}");
        }

        if (strict && missing.Count > 0)
        {
            problems.Add($"{missing.Count} missing key(s): {string.Join(", ", missing)}");
        }

        if (strict && unexpected.Count > 0)
        {
            problems.Add($"{unexpected.Count} unexpected key(s): {string.Join(", ", unexpected)}");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The state dict does not fit the model; nothing was loaded. {string.Join(". ", problems)}.", nameof(source));
        }

        return new StateDictLoadResult(missing, unexpected);
    }
}
