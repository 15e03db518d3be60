using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// Additive causal attention masks [C, C] (0 on and below the diagonal, -inf above), built once per device and
/// dtype and owned by this cache.
/// </summary>
/// <remarks>
/// The mask is derived from the context length and is not part of the model's state, so it is kept outside the
/// module's registered buffers and never appears in a state dict.
/// </remarks>
internal sealed class CausalMaskCache : IDisposable
{
    private readonly long _contextLength;
    private readonly Dictionary<(DeviceType Type, int Index, ScalarType DType), Tensor> _masks = new();
    private readonly object _gate = new();

    public CausalMaskCache(long contextLength)
    {
        _contextLength = contextLength;
    }

    /// <summary>Returns the cached [C, C] mask for a device and dtype; the cache owns it, so never dispose it.</summary>
    public Tensor Get(Device device, ScalarType dtype)
    {
        var key = (device.type, device.index, dtype);
        lock (_gate)
        {
            if (!_masks.TryGetValue(key, out var mask))
            {
                using (NewDisposeScope())
                {
                    mask = ScalarArguments.Full([_contextLength, _contextLength], double.NegativeInfinity, dtype, device)
                        .triu(1)
                        .DetachFromDisposeScope();
                }

                _masks.Add(key, mask);
            }

            return mask;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var mask in _masks.Values)
            {
                mask.Dispose();
            }

            _masks.Clear();
        }
    }
}
