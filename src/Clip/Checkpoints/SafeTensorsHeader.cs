namespace Clip.Checkpoints;

/// <summary>One tensor described by a safetensors header.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">Its dtype.</param>
/// <param name="Shape">Its shape; empty for a scalar.</param>
/// <param name="Begin">First byte, counted from the start of the data section.</param>
/// <param name="End">One past the last byte.</param>
public sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape, long Begin, long End);

/// <summary>A validated safetensors header.</summary>
/// <param name="Entries">Tensors in header order.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings, empty when absent.</param>
/// <param name="DataStart">File offset of the data section (8 + header length).</param>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);
