using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using SkiaSharp;

namespace WebApi;

/// <summary>
/// Turns uploaded bytes into the <see cref="MLImage"/> ML.NET's image transforms take, refusing what is not a whole,
/// reasonably sized image. The header is read first (<see cref="SKCodec"/> parses only the header when created), so a
/// decompression bomb is refused by its declared dimensions before a pixel is decoded.
/// </summary>
/// <remarks>
/// The pixels are those ML.NET's <c>LoadImages</c> produces for the same bytes (it calls <c>MLImage.CreateFromStream</c>,
/// i.e. SkiaSharp's <c>SKBitmap.Decode</c>): the codec's own colour type with premultiplied alpha and no colour-space
/// conversion, converted to BGRA when it is neither BGRA nor RGBA. Unlike <c>SKBitmap.Decode</c>, which keeps a
/// truncated image with its missing rows blank, an incomplete decode is refused.
/// </remarks>
public static class UploadedImage
{
    /// <summary>Decodes <paramref name="encoded"/> (JPEG, PNG, BMP, GIF, WebP) into a new <see cref="MLImage"/> the caller disposes.</summary>
    /// <param name="encoded">The uploaded bytes.</param>
    /// <param name="maxPixels">The largest width × height accepted, checked on the header before decoding.</param>
    /// <returns>The image, at its own size.</returns>
    /// <exception cref="UploadRejectedException">Empty (400), not an image, truncated, undecodable or too many pixels (422).</exception>
    public static MLImage Decode(ReadOnlyMemory<byte> encoded, long maxPixels)
    {
        var info = Probe(encoded, maxPixels, out var codec);
        using var _ = codec;
        if (info.AlphaType == SKAlphaType.Unpremul) info.AlphaType = SKAlphaType.Premul;
        info.ColorSpace = null;
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result == SKCodecResult.IncompleteInput)
            throw new UploadRejectedException(422, "truncated-image", $"The {FormatName(codec)} image is truncated: its data ends before the last row.");
        if (result != SKCodecResult.Success)
            throw new UploadRejectedException(422, "undecodable-image", $"The {FormatName(codec)} image cannot be decoded ({result}).");

        if (decoded.ColorType is SKColorType.Bgra8888 or SKColorType.Rgba8888)
            return MLImage.CreateFromPixels(decoded.Width, decoded.Height, decoded.ColorType == SKColorType.Bgra8888 ? MLPixelFormat.Bgra32 : MLPixelFormat.Rgba32, decoded.GetPixelSpan());
        using var bgra = decoded.Copy(SKColorType.Bgra8888)
            ?? throw new UploadRejectedException(422, "undecodable-image", $"The image's pixel format ({decoded.ColorType}) cannot be converted to BGRA.");
        return MLImage.CreateFromPixels(bgra.Width, bgra.Height, MLPixelFormat.Bgra32, bgra.GetPixelSpan());
    }

    /// <summary>Reads only the header (format and declared size), refusing empty bodies, non-images and image bombs.</summary>
    private static SKImageInfo Probe(ReadOnlyMemory<byte> encoded, long maxPixels, out SKCodec codec)
    {
        if (encoded.IsEmpty) throw new UploadRejectedException(400, "empty-body", "The request carries no image: the body (or the file part) is empty.");
        var bytes = MemoryMarshal.TryGetArray(encoded, out var segment) ? segment : new ArraySegment<byte>(encoded.ToArray());
        // The codec owns the stream and reads only the header here.
        codec = SKCodec.Create(new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), out var createResult)!;
        if (codec is null)
        {
            throw new UploadRejectedException(422, "not-an-image",
                $"The body is not an image this server decodes (JPEG, PNG, BMP, GIF or WebP): {(createResult == SKCodecResult.Unimplemented ? "unknown format" : createResult.ToString())}.");
        }
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels)
        {
            codec.Dispose();
            throw new UploadRejectedException(422, "too-many-pixels",
                $"The image declares {info.Width}x{info.Height} pixels; this server accepts at most {maxPixels:N0} (width × height). Nothing was decoded.");
        }
        return info;
    }

    private static string FormatName(SKCodec codec) => codec.EncodedFormat.ToString().ToUpperInvariant();
}
