using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Clip.Cli.Emoji;

/// <summary>
/// Assigns base emoji to the seen or unseen split from a SHA-256 hash of their normalised code points, so
/// the split is the same on every machine and run, and does not depend on the order of the data files.
/// Skin-tone variants are assigned through their base emoji, so all tones of an emoji share a split.
/// </summary>
public static class EmojiSplitter
{
    /// <summary>Resolution of the hash bucket that is compared with the seen fraction.</summary>
    private const ulong BucketCount = 1_000_000;

    /// <summary>Returns the split of a base emoji.</summary>
    /// <param name="baseHexcode">The base emoji's code-point sequence (normalised or not).</param>
    /// <param name="seenFraction">The fraction of base emoji that go to <see cref="EmojiSplit.Seen"/>, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seenFraction"/> is not in (0, 1).</exception>
    public static EmojiSplit Assign(string baseHexcode, double seenFraction)
    {
        if (!(seenFraction > 0 && seenFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(seenFraction), seenFraction, "The seen fraction must be greater than 0 and less than 1.");
        }

        ulong bucket = HashPart(baseHexcode, 0) % BucketCount;
        return bucket < (ulong)(seenFraction * BucketCount) ? EmojiSplit.Seen : EmojiSplit.Unseen;
    }

    /// <summary>
    /// Returns a stable sort key for a base emoji that is independent of its split, used to draw
    /// deterministic subsets that keep the seen/unseen proportions.
    /// </summary>
    /// <param name="baseHexcode">The base emoji's code-point sequence (normalised or not).</param>
    public static ulong SubsetKey(string baseHexcode) => HashPart(baseHexcode, sizeof(ulong));

    private static ulong HashPart(string baseHexcode, int offset)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(EmojiHexcode.Normalize(baseHexcode)));
        return BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(offset, sizeof(ulong)));
    }
}
