namespace Clip.Training;

/// <summary>Where the next batch starts: the epoch and the offset into that epoch's shuffled order.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Cursor">Number of shuffled positions of the epoch already consumed (taken or skipped).</param>
internal readonly record struct DataPosition(int Epoch, int Cursor);
