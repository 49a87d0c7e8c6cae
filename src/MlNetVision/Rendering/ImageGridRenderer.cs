using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Rendering;

/// <summary>Draws images (float [N,3,H,W] RGB in 0..1) as a grid of captioned cells and encodes it as a PNG.</summary>
public static class ImageGridRenderer
{
    /// <summary>The smallest side a cell's image is drawn at; smaller images are enlarged so they stay visible.</summary>
    public const int MinCellSize = 112;

    /// <summary>Renders the images row by row, <paramref name="columns"/> per row, each with its caption underneath.</summary>
    /// <param name="images">float32 [N,3,H,W], RGB, 0..1.</param>
    /// <param name="captions">One caption per image.</param>
    /// <param name="columns">Images per row.</param>
    /// <returns>The PNG bytes.</returns>
    /// <exception cref="ArgumentException">The captions do not match the images.</exception>
    public static byte[] RenderPng(Tensor images, IReadOnlyList<string> captions, int columns)
    {
        var n = (int)images.shape[0];
        if (captions.Count != n) throw new ArgumentException($"{captions.Count} captions for {n} images.", nameof(captions));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int h = (int)images.shape[2], w = (int)images.shape[3];
        var scale = Math.Max(1f, MinCellSize / (float)Math.Min(h, w));
        int cellW = (int)(w * scale), cellH = (int)(h * scale);
        const int pad = 6, captionH = 20;
        var rows = Math.Max(1, (n + columns - 1) / columns);
        var cols = Math.Min(columns, Math.Max(1, n));

        byte[] rgba;
        using (NewDisposeScope())
        {
            var u8 = images.detach().cpu().clamp(0, 1).mul(255).round().to_type(ScalarType.Byte).permute(0, 2, 3, 1);
            var alpha = full([n, h, w, 1], (byte)255, ScalarType.Byte);
            rgba = cat([u8, alpha], 3).contiguous().data<byte>().ToArray();
        }

        using var surface = new SKBitmap(cols * (cellW + pad) + pad, rows * (cellH + captionH + pad) + pad, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(surface);
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, Typeface = EmbeddedFonts.Sans, TextSize = 13 };
        using var sampling = new SKPaint { FilterQuality = scale > 1 ? SKFilterQuality.None : SKFilterQuality.High };
        var frame = w * h * 4;
        for (var i = 0; i < n; i++)
        {
            using var cell = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
            Marshal.Copy(rgba, i * frame, cell.GetPixels(), frame);
            float x = pad + i % cols * (cellW + pad), y = pad + i / cols * (cellH + captionH + pad);
            canvas.DrawBitmap(cell, new SKRect(x, y, x + cellW, y + cellH), sampling);
            var caption = Fit(captions[i], text, cellW);
            canvas.DrawText(caption, x + (cellW - text.MeasureText(caption)) / 2, y + cellH + captionH - 5, text);
        }
        using var data = surface.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Shortens a caption with an ellipsis until it fits the width.</summary>
    private static string Fit(string caption, SKPaint font, float width)
    {
        if (font.MeasureText(caption) <= width) return caption;
        for (var len = caption.Length - 1; len > 0; len--)
        {
            var s = caption[..len] + "…";
            if (font.MeasureText(s) <= width) return s;
        }
        return "…";
    }
}
