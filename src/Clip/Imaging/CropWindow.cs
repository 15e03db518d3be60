namespace Clip.Imaging;

/// <summary>A rectangle of a resized image that the resampler computes.</summary>
internal readonly record struct CropWindow(int Left, int Top, int Width, int Height)
{
    /// <summary>The whole of an image of the given size.</summary>
    public static CropWindow Whole(int width, int height) => new(0, 0, width, height);

    /// <summary>
    /// The centered square of side <paramref name="size"/>, with offsets round((side - size) / 2) rounded
    /// half to even, as torchvision's CenterCrop computes them with Python's round.
    /// </summary>
    public static CropWindow Center(int width, int height, int size) =>
        new(CenterOffset(width, size), CenterOffset(height, size), size, size);

    /// <summary>Throws unless the window lies inside an image of the given size.</summary>
    public void Validate(int width, int height)
    {
        if (Left < 0 || Top < 0 || Width <= 0 || Height <= 0 || Left + Width > width || Top + Height > height)
        {
            throw new ArgumentOutOfRangeException(nameof(Left), $"Crop {Width}x{Height} at ({Left}, {Top}) does not fit in a {width}x{height} image.");
        }
    }

    private static int CenterOffset(int side, int size) =>
        (int)Math.Round((side - size) / 2.0, MidpointRounding.ToEven);
}
