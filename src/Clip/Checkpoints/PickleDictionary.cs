namespace Clip.Checkpoints;

/// <summary>
/// A Python dict or OrderedDict read from a pickle, keeping insertion order (the order of a state dict).
/// Keys are strings, integers or booleans; a later assignment to an existing key replaces its value in place.
/// </summary>
internal sealed class PickleDictionary
{
    private readonly List<object> keys = [];
    private readonly Dictionary<object, object?> values = [];

    /// <summary>Number of entries.</summary>
    public int Count => keys.Count;

    /// <summary>Entries in insertion order.</summary>
    public IEnumerable<KeyValuePair<object, object?>> Entries =>
        keys.Select(k => new KeyValuePair<object, object?>(k, values[k]));

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, appending new keys at the end.</summary>
    public void Set(object key, object? value)
    {
        if (!values.ContainsKey(key))
        {
            keys.Add(key);
        }

        values[key] = value;
    }

    /// <summary>Looks up a string key.</summary>
    public bool TryGetValue(string key, out object? value) => values.TryGetValue(key, out value);
}
