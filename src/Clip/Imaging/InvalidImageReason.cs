namespace Clip.Imaging;

/// <summary>Why an image source could not be preprocessed.</summary>
public enum InvalidImageReason
{
    /// <summary>The file does not exist or could not be opened.</summary>
    NotFound,

    /// <summary>The source contains no bytes.</summary>
    Empty,

    /// <summary>The bytes are not an image in a format ImageSharp decodes (a text file, HEIC, AVIF, ...).</summary>
    UnsupportedFormat,

    /// <summary>The format is recognised but the data is damaged or cut short.</summary>
    Corrupt,

    /// <summary>The image declares more pixels than <see cref="ImagePreprocessorOptions.MaxPixelCount"/> allows.</summary>
    TooLarge,
}
