namespace Clip.Cli.Emoji;

/// <summary>A step of emoji dataset preparation.</summary>
public enum EmojiPreparationStage
{
    /// <summary>Downloading or verifying the npm tarballs.</summary>
    Fetch,

    /// <summary>Extracting the files the dataset needs from the tarballs.</summary>
    Extract,

    /// <summary>Compositing the images over white and writing them.</summary>
    WriteImages,

    /// <summary>Writing the CSV and JSON Lines index.</summary>
    WriteIndex,
}

/// <summary>Progress of emoji dataset preparation.</summary>
/// <param name="Stage">The current step.</param>
/// <param name="Completed">Units done in this step.</param>
/// <param name="Total">Units in this step.</param>
/// <param name="Description">What is being done, for a progress display.</param>
public sealed record EmojiPreparationProgress(EmojiPreparationStage Stage, int Completed, int Total, string Description);
