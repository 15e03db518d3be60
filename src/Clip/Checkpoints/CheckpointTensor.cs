using static TorchSharp.torch;

namespace Clip.Checkpoints;

/// <summary>
/// One tensor of a checkpoint, described by name, stored dtype and shape, and read from the file only when
/// <see cref="Load"/> is called. Loading tensors one at a time keeps the memory of a load near one copy of
/// the weights.
/// </summary>
public sealed class CheckpointTensor
{
    private readonly Func<Tensor> load;

    internal CheckpointTensor(string name, ScalarType storedType, IReadOnlyList<long> shape, Func<Tensor> load)
    {
        Name = name;
        StoredType = storedType;
        Shape = shape;
        this.load = load;
    }

    /// <summary>State-dict key, in the reference (OpenAI) layout once a checkpoint has been mapped.</summary>
    public string Name { get; }

    /// <summary>The dtype in the file: half-precision releases store many weights as <see cref="ScalarType.Float16"/>.</summary>
    public ScalarType StoredType { get; }

    /// <summary>Shape of the tensor.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);

    /// <summary>
    /// Reads the tensor on the CPU. Floating-point tensors (float16, bfloat16, float64) come back as float32,
    /// the precision the library computes in; integer tensors keep their dtype.
    /// </summary>
    /// <returns>A new tensor that the caller owns and disposes.</returns>
    /// <exception cref="CheckpointFormatException">The file's data for this tensor is truncated or corrupt.</exception>
    public Tensor Load()
    {
        using var scope = NewDisposeScope();
        Tensor tensor = load();
        if (tensor.is_floating_point() && tensor.dtype != ScalarType.Float32)
        {
            tensor = tensor.to_type(ScalarType.Float32);
        }

        return tensor.MoveToOuterDisposeScope();
    }

    /// <summary>Returns the same tensor under another key.</summary>
    internal CheckpointTensor WithName(string name) => new(name, StoredType, Shape, load);

    /// <summary>Returns a description whose loader applies <paramref name="transform"/> to the loaded tensor.</summary>
    internal CheckpointTensor Transform(string name, IReadOnlyList<long> shape, Func<Tensor, Tensor> transform) =>
        new(name, StoredType, shape, () =>
        {
            using var scope = NewDisposeScope();
            return transform(load()).MoveToOuterDisposeScope();
        });

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {StoredType} [{string.Join(", ", Shape)}]";
}
