using SkiaSharp;

namespace MlNetVision.Data;

/// <summary>
/// Tells whether a file can be used as an image, with the checks the <see cref="ImageDataBunch"/> decoder makes
/// (readable, not empty, a format SkiaSharp decodes, within the pixel limit, not truncated), without TorchSharp:
/// scoring front ends probe files this way before handing them to a model that would stop on the first bad one.
/// </summary>
public static class ImageProbe
{
    /// <summary>Why <paramref name="path"/> cannot be decoded as an image, or <see langword="null"/> when it decodes in full.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">Images whose declared width × height exceed this are refused (image-bomb guard).</param>
    /// <returns>The reason, in the words of the bunch's skip warnings, or <see langword="null"/>.</returns>
    public static string? Problem(string path, long maxPixels = ImageDataBunchOptions.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = Open(ImageSource.FromFile(path));
            using var codec = OpenCodec(stream, maxPixels);
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            using var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            return result == SKCodecResult.Success ? null : DecodeFailure(result);
        }
        catch (ImageDecodeException e)
        {
            return e.Message;
        }
    }

    /// <summary>Opens the source for reading.</summary>
    /// <exception cref="ImageDecodeException">It cannot be read or is empty.</exception>
    internal static Stream Open(ImageSource source)
    {
        Stream stream;
        try { stream = source.Open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImageDecodeException($"cannot be read ({e.Message})"); }
        if (stream.CanSeek && stream.Length == 0)
        {
            stream.Dispose();
            throw new ImageDecodeException("empty file (0 bytes)");
        }
        return stream;
    }

    /// <summary>The codec of an opened image, after the header checks (known format, positive size, at most <paramref name="maxPixels"/>).</summary>
    /// <exception cref="ImageDecodeException">A check fails.</exception>
    internal static SKCodec OpenCodec(Stream stream, long maxPixels)
    {
        var codec = SKCodec.Create(stream, out var createResult) ?? throw new ImageDecodeException($"not a decodable image ({createResult})");
        var info = codec.Info;
        string? problem = info.Width <= 0 || info.Height <= 0 ? $"invalid dimensions {info.Width}x{info.Height}"
            : (long)info.Width * info.Height > maxPixels ? $"declared dimensions {info.Width}x{info.Height} exceed the {maxPixels:N0}-pixel limit (image bomb guard)"
            : null;
        if (problem is null) return codec;
        codec.Dispose();
        throw new ImageDecodeException(problem);
    }

    /// <summary>The reason given when the pixels of an image fail to decode.</summary>
    internal static string DecodeFailure(SKCodecResult result) =>
        result == SKCodecResult.IncompleteInput ? "truncated image (incomplete input)" : $"cannot be decoded ({result})";
}
