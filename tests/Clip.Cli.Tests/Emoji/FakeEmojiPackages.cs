using Clip.Cli.Emoji;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Cli.Tests.Emoji;

/// <summary>
/// Writes miniature versions of the three emoji npm packages into a cache folder, each with its
/// <c>.sha512</c> record, so the dataset builder finds them verified and never runs npm.
/// </summary>
internal static class FakeEmojiPackages
{
    public const string EmojibaseData = """
        [
          {"label": "grinning face", "hexcode": "1F600", "emoji": "😀", "tags": ["face", "grin"], "group": 0, "subgroup": 0},
          {"label": "waving hand", "hexcode": "1F44B", "emoji": "👋", "tags": ["hand", "wave"], "group": 1, "subgroup": 2,
           "skins": [{"label": "waving hand: light skin tone", "hexcode": "1F44B-1F3FB", "emoji": "👋🏻", "group": 1, "subgroup": 2, "tone": 1}]},
          {"label": "red heart", "hexcode": "2764-FE0F", "emoji": "❤️", "tags": ["heart"], "group": 0, "subgroup": 1},
          {"label": "regional indicator A", "hexcode": "1F1E6", "emoji": "🇦"}
        ]
        """;

    public const string Groups = """
        {"groups": {"0": "smileys-emotion", "1": "people-body"},
         "hierarchy": {"0": [0, 1], "1": [2]},
         "subgroups": {"0": "face-smiling", "1": "heart", "2": "hand-fingers-open"}}
        """;

    public const string Messages = """
        {"groups": [{"key": "smileys-emotion", "message": "smileys & emotion", "order": 0},
                    {"key": "people-body", "message": "people & body", "order": 1}]}
        """;

    /// <summary>Lists four drawn emoji (one with a skin variation), one with no text and one not drawn in the style.</summary>
    public static string EmojiJson(EmojiStyle style) => """
        [
          {"name": "GRINNING FACE", "unified": "1F600", "image": "1f600.png", "has_img_STYLE": true},
          {"name": "WAVING HAND SIGN", "unified": "1F44B", "image": "1f44b.png", "has_img_STYLE": true,
           "skin_variations": {"1F3FB": {"unified": "1F44B-1F3FB", "image": "1f44b-1f3fb.png", "has_img_STYLE": true}}},
          {"name": "HEAVY BLACK HEART", "unified": "2764-FE0F", "image": "2764-fe0f.png", "has_img_STYLE": true},
          {"name": "NAZAR AMULET", "unified": "1F9FF", "image": "1f9ff.png", "has_img_STYLE": true},
          {"name": "NOT DRAWN", "unified": "1F601", "image": "1f601.png", "has_img_STYLE": false}
        ]
        """.Replace("STYLE", style.ToName(), StringComparison.Ordinal);

    public static readonly string[] ImageFiles = ["1f600.png", "1f44b.png", "1f44b-1f3fb.png", "2764-fe0f.png", "1f9ff.png", "1f601.png"];

    public static void WriteAll(string cacheDirectory)
    {
        Directory.CreateDirectory(cacheDirectory);
        Write(cacheDirectory, EmojiPackages.Emojibase, [
            ("package/en/data.json", TarballFactory.Text(EmojibaseData)),
            ("package/en/messages.json", TarballFactory.Text(Messages)),
            ("package/meta/groups.json", TarballFactory.Text(Groups)),
        ]);

        foreach (EmojiStyle style in Enum.GetValues<EmojiStyle>())
        {
            var files = new List<(string, byte[])> { ("package/emoji.json", TarballFactory.Text(EmojiJson(style))) };
            files.AddRange(ImageFiles.Select(name => ($"package/img/{style.ToName()}/64/{name}", TransparentPng())));
            Write(cacheDirectory, EmojiPackages.ForStyle(style), files);
        }
    }

    private static void Write(string cacheDirectory, NpmPackageSpec package, IEnumerable<(string, byte[])> files)
    {
        string tarball = Path.Combine(cacheDirectory, package.TarballFileName);
        TarballFactory.Write(tarball, files);
        File.WriteAllText(tarball + NpmPackageCache.IntegrityFileExtension, SubresourceIntegrity.ComputeSha512(tarball));
    }

    /// <summary>A 4×4 PNG: transparent except an opaque blue top-left pixel.</summary>
    private static byte[] TransparentPng()
    {
        using var image = new Image<Rgba32>(4, 4);
        image[0, 0] = new Rgba32(0, 0, 255, 255);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
