using TorchSharp;

namespace Clip.Checkpoints;

/// <summary>
/// A storage named in a PyTorch archive: the record <c>data/&lt;Key&gt;</c> holding
/// <see cref="ElementCount"/> little-endian elements of <see cref="DType"/>.
/// </summary>
internal sealed record StorageReference(string Key, torch.ScalarType DType, long ElementCount);

/// <summary>
/// A tensor described by a pickle (<c>torch._utils._rebuild_tensor_v2</c>): a strided view into a storage.
/// Building it reads nothing; the bytes are read only when the tensor is loaded.
/// </summary>
internal sealed record TensorReference(StorageReference Storage, long StorageOffset, long[] Shape, long[] Stride)
{
    /// <summary>Number of elements of the view.</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, size) => checked(product * size));

    /// <summary>Whether the view covers its whole storage in row-major order, so no copy is needed.</summary>
    public bool IsWholeContiguousStorage
    {
        get
        {
            if (StorageOffset != 0 || ElementCount != Storage.ElementCount)
            {
                return false;
            }

            long expected = 1;
            for (int i = Shape.Length - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expected)
                {
                    return false;
                }

                expected *= Shape[i];
            }

            return true;
        }
    }
}
