using Xunit;

namespace Clip.Cli.Tests.Emoji;

/// <summary>
/// Tests that download and extract the real emoji packages into the repository's shared <c>.cache/npm</c> folder.
/// They run one at a time, so that on a fresh checkout two of them never extract the same tarball at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmojiCacheCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Real emoji package cache";
}
