namespace Clip.Imaging;

/// <summary>How the resized image becomes a square of the model's resolution.</summary>
public enum CropMode
{
    /// <summary>Resize the shorter side to the resolution, then cut the centered square (the reference).</summary>
    Center,

    /// <summary>Resize both sides to the resolution, distorting the aspect ratio but keeping the whole image.</summary>
    Stretch,
}
