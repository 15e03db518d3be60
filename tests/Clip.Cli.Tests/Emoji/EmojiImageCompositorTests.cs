using Clip.Cli.Emoji;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Clip.Cli.Tests.Emoji;

public sealed class EmojiImageCompositorTests
{
    [Fact]
    public void CompositeOverWhite_BlendsByAlpha()
    {
        using var source = new Image<Rgba32>(3, 1);
        source[0, 0] = new Rgba32(0, 0, 0, 0);       // transparent black
        source[1, 0] = new Rgba32(10, 20, 30, 255);  // opaque
        source[2, 0] = new Rgba32(255, 0, 0, 128);   // half-transparent red

        using Image<Rgb24> flat = EmojiImageCompositor.CompositeOverWhite(source);

        Assert.Equal(new Rgb24(255, 255, 255), flat[0, 0]);
        Assert.Equal(new Rgb24(10, 20, 30), flat[1, 0]);
        Assert.Equal(new Rgb24(255, 127, 127), flat[2, 0]);
    }
}
