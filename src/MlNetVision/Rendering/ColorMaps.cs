using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>Colour maps for heat maps.</summary>
internal static class ColorMaps
{
    // matplotlib's "magma" at t = 0, 0.1, ..., 1 (the default colour map of fastai v1's heat maps), interpolated linearly in between.
    private static readonly SKColor[] MagmaStops =
    [
        new(0x00, 0x00, 0x04), new(0x14, 0x0E, 0x36), new(0x3B, 0x0F, 0x70), new(0x64, 0x1A, 0x80),
        new(0x8C, 0x29, 0x81), new(0xB7, 0x37, 0x79), new(0xDE, 0x49, 0x68), new(0xF7, 0x70, 0x5C),
        new(0xFE, 0x9F, 0x6D), new(0xFE, 0xCF, 0x92), new(0xFC, 0xFD, 0xBF),
    ];

    /// <summary>The magma colour of <paramref name="t"/> in 0..1 (clamped): black-purple for 0, through red-orange, to pale yellow for 1.</summary>
    public static SKColor Magma(float t)
    {
        float x = Math.Clamp(float.IsNaN(t) ? 0 : t, 0, 1) * (MagmaStops.Length - 1);
        int i = Math.Min((int)x, MagmaStops.Length - 2);
        float f = x - i;
        SKColor a = MagmaStops[i], b = MagmaStops[i + 1];
        return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
    }

    private static byte Lerp(byte a, byte b, float f) => (byte)Math.Round(a + (b - a) * f);
}
