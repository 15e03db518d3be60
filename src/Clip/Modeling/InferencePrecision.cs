namespace Clip.Modeling;

/// <summary>The element type the encoders compute in during inference.</summary>
/// <remarks>
/// There is no float16 member: CPU kernels for float16 matrix products are about a hundred times slower than
/// float32 ones, while bfloat16 ones run on the processor's bfloat16 dot-product instructions where it has them.
/// </remarks>
public enum InferencePrecision
{
    /// <summary>IEEE single precision: the default, and the precision of the reference implementation.</summary>
    Float32,

    /// <summary>
    /// bfloat16 weights and activations (8-bit exponent, 7-bit mantissa), with LayerNorm and BatchNorm parameters kept
    /// in float32 and LayerNorm computed in float32.
    /// </summary>
    BFloat16,
}
