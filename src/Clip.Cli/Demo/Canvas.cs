using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Clip.Cli.Demo;

/// <summary>Pixel drawing on an ImageSharp image: rectangles, lines and copies, enough for charts and grids.</summary>
internal static class Canvas
{
    /// <summary>Fills a rectangle, clipped to the image.</summary>
    public static void FillRectangle(Image<Rgb24> image, int x, int y, int width, int height, Rgb24 colour)
    {
        for (int row = Math.Max(0, y); row < Math.Min(image.Height, y + height); row++)
        {
            for (int column = Math.Max(0, x); column < Math.Min(image.Width, x + width); column++)
            {
                image[column, row] = colour;
            }
        }
    }

    /// <summary>Draws a one-pixel rectangle outline.</summary>
    public static void DrawRectangle(Image<Rgb24> image, int x, int y, int width, int height, Rgb24 colour)
    {
        DrawLine(image, x, y, x + width - 1, y, colour);
        DrawLine(image, x, y + height - 1, x + width - 1, y + height - 1, colour);
        DrawLine(image, x, y, x, y + height - 1, colour);
        DrawLine(image, x + width - 1, y, x + width - 1, y + height - 1, colour);
    }

    /// <summary>Draws a line with Bresenham's algorithm, clipped to the image.</summary>
    public static void DrawLine(Image<Rgb24> image, int x0, int y0, int x1, int y1, Rgb24 colour)
    {
        int dx = Math.Abs(x1 - x0);
        int dy = -Math.Abs(y1 - y0);
        int stepX = x0 < x1 ? 1 : -1;
        int stepY = y0 < y1 ? 1 : -1;
        int error = dx + dy;
        while (true)
        {
            if (x0 >= 0 && x0 < image.Width && y0 >= 0 && y0 < image.Height)
            {
                image[x0, y0] = colour;
            }

            if (x0 == x1 && y0 == y1)
            {
                return;
            }

            int doubled = 2 * error;
            if (doubled >= dy)
            {
                error += dy;
                x0 += stepX;
            }

            if (doubled <= dx)
            {
                error += dx;
                y0 += stepY;
            }
        }
    }

    /// <summary>Copies a source image to a position, clipped to the destination.</summary>
    public static void Paste(Image<Rgb24> destination, Image<Rgb24> source, int x, int y)
    {
        for (int row = 0; row < source.Height; row++)
        {
            for (int column = 0; column < source.Width; column++)
            {
                int targetX = x + column;
                int targetY = y + row;
                if (targetX >= 0 && targetX < destination.Width && targetY >= 0 && targetY < destination.Height)
                {
                    destination[targetX, targetY] = source[column, row];
                }
            }
        }
    }
}
