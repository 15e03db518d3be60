namespace Clip.Modeling;

/// <summary>Keys that differed between a loaded state dict and the model.</summary>
/// <param name="MissingKeys">Keys the model has and the source lacked; those tensors were left unchanged.</param>
/// <param name="UnexpectedKeys">Keys the source had and the model lacks; they were ignored.</param>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
