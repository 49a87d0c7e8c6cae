using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// The grid of titled images that <see cref="TopLossesPlot"/> and <see cref="ResultsPlot"/> draw: <c>columns =
/// min(n, Columns ?? ⌈√n⌉)</c> (fastai's layout), <c>rows = ⌈n / columns⌉</c>, each cell two title lines over a square
/// image box, below an optional header.
/// </summary>
internal sealed class TitledImageGrid
{
    /// <summary>The colour of a right prediction's title (fastai's <c>green</c>, darkened for contrast on white).</summary>
    public static readonly SKColor Right = new(0x2E, 0x7D, 0x32);

    /// <summary>The colour of a wrong prediction's title.</summary>
    public static readonly SKColor Wrong = new(0xC6, 0x28, 0x28);

    private readonly TitledImagePlotOptions _options;

    /// <summary>Lays out <paramref name="count"/> cells with <paramref name="options"/> under a header of <paramref name="headerHeight"/> pixels.</summary>
    public TitledImageGrid(int count, int? columns, TitledImagePlotOptions options, int headerHeight = 0)
    {
        _options = options;
        HeaderHeight = headerHeight;
        Columns = Math.Clamp(columns ?? (int)Math.Ceiling(Math.Sqrt(count)), 1, count);
        Rows = (count + Columns - 1) / Columns;
        Width = Columns * options.ImageSize + (Columns + 1) * options.Gap;
        Height = headerHeight + Rows * (options.TitleHeight + options.ImageSize) + (Rows + 1) * options.Gap;
    }

    /// <summary>Cells per row.</summary>
    public int Columns { get; }

    /// <summary>Rows of cells.</summary>
    public int Rows { get; }

    /// <summary>The picture's width in pixels.</summary>
    public int Width { get; }

    /// <summary>The picture's height in pixels.</summary>
    public int Height { get; }

    /// <summary>The header's height above the first row, in pixels.</summary>
    public int HeaderHeight { get; }

    /// <summary>The left edge of cell <paramref name="i"/>.</summary>
    public float Left(int i) => _options.Gap + i % Columns * (_options.ImageSize + _options.Gap);

    /// <summary>The top edge of cell <paramref name="i"/>'s titles.</summary>
    public float Top(int i) => _options.Gap + HeaderHeight + i / Columns * (_options.TitleHeight + _options.ImageSize + _options.Gap);

    /// <summary>The square box cell <paramref name="i"/>'s image is fitted into.</summary>
    public SKRect ImageBox(int i) => SKRect.Create(Left(i), Top(i) + _options.TitleHeight, _options.ImageSize, _options.ImageSize);

    /// <summary>Draws title line <paramref name="line"/> (0 or 1) of cell <paramref name="i"/>, centred and fitted to the cell's width.</summary>
    public void DrawTitle(SKCanvas canvas, int i, int line, string text, SKColor color)
    {
        using var paint = CanvasText.Paint(_options.FontSize, color);
        CanvasText.DrawMiddle(canvas, CanvasText.Fit(paint, text, _options.ImageSize, 8), Left(i) + _options.ImageSize / 2f,
            TitleLineY(Top(i), _options.TitleHeight, line), paint);
    }

    /// <summary>The middle of title line <paramref name="line"/> (0 or 1) of a title area starting at <paramref name="top"/>.</summary>
    public static float TitleLineY(float top, float titleHeight, int line) => top + titleHeight * (line == 0 ? 0.28f : 0.74f);

    /// <summary>Draws <paramref name="image"/> as large as fits inside <paramref name="box"/>, aspect ratio kept, centred.</summary>
    public static void DrawFitted(SKCanvas canvas, SKBitmap image, SKRect box, SKPaint paint)
    {
        float scale = Math.Min(box.Width / image.Width, box.Height / image.Height);
        float w = image.Width * scale, h = image.Height * scale;
        canvas.DrawBitmap(image, SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h), paint);
    }
}
