using MlNetVision.Data;
using SkiaSharp;

namespace MlNetVision.Cli.Scoring;

/// <summary>Lists image files and checks that they decode before ML.NET sees them (ML.NET stops a whole batch on one bad file).</summary>
public static class ImageFiles
{
    /// <summary>Whether the file has one of the library's image extensions.</summary>
    public static bool HasImageExtension(string path) =>
        ImageDataBunch.ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The image files under a folder, recursively, in ordinal order.</summary>
    public static List<string> Under(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(HasImageExtension).Order(StringComparer.Ordinal).ToList();

    /// <summary>Why the file cannot be read as an image, or <see langword="null"/> when it decodes.</summary>
    public static string? Problem(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return "file not found";
            if (info.Length == 0) return "empty file";
            using var codec = SKCodec.Create(path, out var result);
            if (codec is null) return result == SKCodecResult.Unimplemented ? "not an image (unknown or unsupported format)" : $"not a readable image ({result})";
            var (w, h) = (codec.Info.Width, codec.Info.Height);
            if ((long)w * h > ImageDataBunchOptions.DefaultMaxPixels) return $"the image is too large ({w}x{h} pixels)";
            var target = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
            using var bitmap = new SKBitmap(target);
            var decoded = codec.GetPixels(target, bitmap.GetPixels());
            return decoded == SKCodecResult.Success ? null : $"the image data cannot be decoded ({decoded})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
