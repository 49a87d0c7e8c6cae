using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// The DejaVu Sans typefaces shipped inside the assembly, so that text renders on machines without any
/// system fonts (a fresh container has none). Licence: Rendering/Fonts/LICENSE-DejaVu.txt (Bitstream Vera, public domain changes).
/// </summary>
public static class EmbeddedFonts
{
    private static readonly Lazy<SKTypeface> SansLazy = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> SansBoldLazy = new(() => Load("DejaVuSans-Bold.ttf"));

    /// <summary>DejaVu Sans, regular weight.</summary>
    public static SKTypeface Sans => SansLazy.Value;

    /// <summary>DejaVu Sans, bold.</summary>
    public static SKTypeface SansBold => SansBoldLazy.Value;

    /// <summary>The regular or bold typeface for an OxyPlot-style font weight (bold from 600).</summary>
    public static SKTypeface ForWeight(double fontWeight) => fontWeight >= 600 ? SansBold : Sans;

    private static SKTypeface Load(string file)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"MlNetVision.Fonts.{file}")
            ?? throw new InvalidOperationException($"The embedded font {file} is missing from the assembly.");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"The embedded font {file} could not be read.");
    }
}
