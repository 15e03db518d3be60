namespace Clip.Cli.Emoji;

/// <summary>Which part of the emoji dataset an image belongs to.</summary>
public enum EmojiSplit
{
    /// <summary>Emoji whose labels training may see.</summary>
    Seen,

    /// <summary>Emoji held out from training, to test labels the model never saw.</summary>
    Unseen,
}
