using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Clip.Cli.Demo;

/// <summary>
/// The demo's PNG pictures: training curves and a grid of example images. They carry no text (no font renderer
/// is available), so the Markdown report states the axes, ranges and the predictions of each grid cell.
/// </summary>
public static class DemoPictures
{
    private const int PanelWidth = 360;
    private const int PanelHeight = 220;
    private const int Margin = 12;
    private const int GridCellPadding = 6;
    private const int GridBorder = 3;

    private static readonly Rgb24 Background = new(255, 255, 255);
    private static readonly Rgb24 Frame = new(160, 160, 160);
    private static readonly Rgb24 RawLine = new(190, 205, 235);
    private static readonly Rgb24 MainLine = new(30, 80, 200);

    /// <summary>Outcome colours of a grid cell's border.</summary>
    private static readonly Rgb24 Correct = new(40, 160, 60);
    private static readonly Rgb24 InTopFive = new(230, 170, 30);
    private static readonly Rgb24 Wrong = new(210, 50, 40);

    /// <summary>Draws panels side by side, one per series, each scaled to its own minimum and maximum.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="series">The series, each with its values per step; a series of the name <c>loss</c> also gets a moving average.</param>
    public static void DrawCurves(string path, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        using var image = new Image<Rgb24>((series.Count * (PanelWidth + Margin)) + Margin, PanelHeight + (2 * Margin), Background);
        for (int panel = 0; panel < series.Count; panel++)
        {
            int left = Margin + (panel * (PanelWidth + Margin));
            Canvas.DrawRectangle(image, left, Margin, PanelWidth, PanelHeight, Frame);
            IReadOnlyList<double> values = series[panel].Values;
            if (values.Count < 2)
            {
                continue;
            }

            bool smooth = series[panel].Name == "loss";
            DrawSeries(image, left, values, smooth ? RawLine : MainLine);
            if (smooth)
            {
                DrawSeries(image, left, MovingAverage(values, Math.Max(1, values.Count / 40)), MainLine);
            }
        }

        image.SaveAsPng(path);
    }

    /// <summary>Draws images in a grid, each framed green (top-1 correct), amber (among the predictions listed) or red (missed).</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="cells">The image files and their outcome (0 correct, 1 among the predictions listed, 2 missed).</param>
    /// <param name="columns">Cells per row.</param>
    public static void DrawGrid(string path, IReadOnlyList<(string ImagePath, int Outcome)> cells, int columns)
    {
        const int CellImageSize = 64;
        int cellSize = CellImageSize + (2 * (GridBorder + GridCellPadding));
        int rows = Math.Max(1, (cells.Count + columns - 1) / columns);
        using var grid = new Image<Rgb24>(columns * cellSize, rows * cellSize, Background);
        for (int index = 0; index < cells.Count; index++)
        {
            int x = (index % columns) * cellSize;
            int y = (index / columns) * cellSize;
            Rgb24 outcome = cells[index].Outcome switch { 0 => Correct, 1 => InTopFive, _ => Wrong };
            Canvas.FillRectangle(grid, x + GridCellPadding, y + GridCellPadding, cellSize - (2 * GridCellPadding), cellSize - (2 * GridCellPadding), outcome);

            using Image<Rgb24> picture = Image.Load<Rgb24>(cells[index].ImagePath);
            picture.Mutate(context => context.Resize(CellImageSize, CellImageSize));
            Canvas.Paste(grid, picture, x + GridCellPadding + GridBorder, y + GridCellPadding + GridBorder);
        }

        grid.SaveAsPng(path);
    }

    private static void DrawSeries(Image<Rgb24> image, int left, IReadOnlyList<double> values, Rgb24 colour)
    {
        double minimum = values.Min();
        double maximum = values.Max();
        double range = maximum - minimum > 0 ? maximum - minimum : 1;
        int plotLeft = left + 4;
        int plotWidth = PanelWidth - 8;
        int plotTop = Margin + 4;
        int plotHeight = PanelHeight - 8;

        (int X, int Y) Point(int index) => (
            plotLeft + (int)Math.Round(index * (plotWidth - 1) / (double)(values.Count - 1)),
            plotTop + (int)Math.Round((maximum - values[index]) / range * (plotHeight - 1)));

        (int previousX, int previousY) = Point(0);
        for (int index = 1; index < values.Count; index++)
        {
            (int x, int y) = Point(index);
            Canvas.DrawLine(image, previousX, previousY, x, y, colour);
            (previousX, previousY) = (x, y);
        }
    }

    private static double[] MovingAverage(IReadOnlyList<double> values, int window)
    {
        var averaged = new double[values.Count];
        double sum = 0;
        for (int index = 0; index < values.Count; index++)
        {
            sum += values[index];
            if (index >= window)
            {
                sum -= values[index - window];
            }

            averaged[index] = sum / Math.Min(index + 1, window);
        }

        return averaged;
    }
}
