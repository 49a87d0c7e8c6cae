using MlNetVision.IO;
using OxyPlot;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>Renders OxyPlot plot models to PNG with the embedded fonts (no system fonts needed).</summary>
public static class PlotPng
{
    /// <summary>Renders <paramref name="model"/> at the given size in pixels and returns the PNG bytes.</summary>
    public static byte[] Render(PlotModel model, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        return PngCanvas.Render(width, height, canvas =>
        {
            using var context = new EmbeddedFontRenderContext(canvas);
            ((IPlotModel)model).Update(true);
            ((IPlotModel)model).Render(context, new OxyRect(0, 0, width, height));
        });
    }

    /// <summary>Renders <paramref name="model"/> to a PNG file, written atomically (temp file, then rename).</summary>
    /// <returns>The full path written.</returns>
    public static string Save(PlotModel model, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, Render(model, width, height));
}
