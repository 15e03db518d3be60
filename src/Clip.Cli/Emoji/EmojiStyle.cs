namespace Clip.Cli.Emoji;

/// <summary>A drawing style of emoji images, each from its own emoji-datasource package.</summary>
public enum EmojiStyle
{
    /// <summary>Google's Noto Color Emoji drawings (<c>emoji-datasource-google</c>).</summary>
    Google,

    /// <summary>Twitter's Twemoji drawings (<c>emoji-datasource-twitter</c>).</summary>
    Twitter,
}

/// <summary>Names of <see cref="EmojiStyle"/> values as the packages and the dataset write them.</summary>
public static class EmojiStyleNames
{
    /// <summary>Returns the lower-case name used in package names, image folders and the dataset (<c>google</c>).</summary>
    /// <param name="style">The style.</param>
    public static string ToName(this EmojiStyle style) => style switch
    {
        EmojiStyle.Google => "google",
        EmojiStyle.Twitter => "twitter",
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Expected Google or Twitter."),
    };
}
