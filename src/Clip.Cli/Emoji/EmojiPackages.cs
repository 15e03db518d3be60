namespace Clip.Cli.Emoji;

/// <summary>The npm packages the emoji dataset is built from, at the versions the dataset is defined for.</summary>
public static class EmojiPackages
{
    /// <summary>Google-style 64×64 RGBA PNGs and their <c>emoji.json</c> (emoji-datasource 16.0.0, Unicode 16).</summary>
    public static NpmPackageSpec Google { get; } = new("emoji-datasource-google", "16.0.0");

    /// <summary>Twitter-style 64×64 RGBA PNGs and their <c>emoji.json</c> (emoji-datasource 16.0.0).</summary>
    public static NpmPackageSpec Twitter { get; } = new("emoji-datasource-twitter", "16.0.0");

    /// <summary>CLDR labels, tags, groups and subgroups (emojibase-data 17.0.0).</summary>
    public static NpmPackageSpec Emojibase { get; } = new("emojibase-data", "17.0.0");

    /// <summary>Returns the image package of a style.</summary>
    /// <param name="style">The drawing style.</param>
    public static NpmPackageSpec ForStyle(EmojiStyle style) => style switch
    {
        EmojiStyle.Google => Google,
        EmojiStyle.Twitter => Twitter,
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Expected Google or Twitter."),
    };
}
