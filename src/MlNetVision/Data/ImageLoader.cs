using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// Decodes images with SkiaSharp (JPEG, PNG, BMP, GIF, WebP) into RGB uint8 tensors at the target size, exactly as
/// ML.NET's <c>LoadImages</c> → <c>ResizeImages</c> → <c>ExtractPixels</c> see them: the same decode (no EXIF
/// orientation, no codec-scaled decoding), the same resize (filter, arithmetic, borders), then alpha composited onto
/// white — which the exported graph does too, from the alpha channel ML.NET extracts. The table is in docs/MLNET.md.
/// </summary>
public static class ImageLoader
{
    /// <summary>The longest side kept in the cache for <see cref="ResizeMethod.Crop"/>, as a multiple of the target size; longer sides are centre-cropped first.</summary>
    internal const float MaxCachedAspect = 1.5f;

    /// <summary>
    /// Loads an image file the way the validation loader serves it: decoded, resized (centre crop, pad or squish,
    /// as ML.NET's <c>ResizeImages</c>) to <paramref name="size"/>×<paramref name="size"/>, no augmentation.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="size">The side of the square result.</param>
    /// <param name="resizeMethod">How the image is brought to the square size.</param>
    /// <param name="maxPixels">Images whose declared width × height exceed this are refused.</param>
    /// <returns>float32 [3,size,size], RGB, 0..1, not normalised; the caller owns it.</returns>
    /// <exception cref="ImageDecodeException">The file is not a decodable image, is truncated, or is too large.</exception>
    public static Tensor LoadForInference(string path, int size, ResizeMethod resizeMethod = ResizeMethod.Crop,
        long maxPixels = ImageDataBunchOptions.DefaultMaxPixels)
    {
        Native.NativeBackend.EnsureLoaded();
        using var scope = NewDisposeScope();
        var raw = Decode(ImageSource.FromFile(path), size, resizeMethod, maxPixels);
        return ToSquareFloat(raw, size, null).MoveToOuterDisposeScope();
    }

    /// <summary>Loads encoded image bytes the way <see cref="LoadForInference(string, int, ResizeMethod, long)"/> loads a file.</summary>
    /// <param name="encoded">The encoded image (JPEG, PNG, BMP, GIF or WebP).</param>
    /// <param name="size">The side of the square result.</param>
    /// <param name="resizeMethod">How the image is brought to the square size.</param>
    /// <param name="maxPixels">Images whose declared width × height exceed this are refused.</param>
    /// <returns>float32 [3,size,size], RGB, 0..1, not normalised; the caller owns it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image, are truncated, or the image is too large.</exception>
    public static Tensor LoadForInference(byte[] encoded, int size, ResizeMethod resizeMethod = ResizeMethod.Crop,
        long maxPixels = ImageDataBunchOptions.DefaultMaxPixels)
    {
        Native.NativeBackend.EnsureLoaded();
        using var scope = NewDisposeScope();
        var raw = Decode(ImageSource.FromBytes("bytes", encoded), size, resizeMethod, maxPixels);
        return ToSquareFloat(raw, size, null).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cuts a cached uint8 [3,h,w] image to [3,size,size] float 0..1: at <paramref name="cropPos"/> (row, column
    /// fractions in 0..1) when given, else at the centre.
    /// </summary>
    internal static Tensor ToSquareFloat(Tensor cached, int size, (double Row, double Col)? cropPos)
    {
        return CropSquare(cached, size, cropPos).to_type(ScalarType.Float32).div_(255f);
    }

    /// <summary>The [3,size,size] uint8 view of a cached image at the given crop position (centre when null).</summary>
    internal static Tensor CropSquare(Tensor cached, int size, (double Row, double Col)? cropPos)
    {
        var h = (int)cached.shape[1];
        var w = (int)cached.shape[2];
        if (h == size && w == size) return cached.alias();
        var (rowPct, colPct) = cropPos ?? (0.5, 0.5);
        var top = (int)Math.Round((h - size) * rowPct);
        var left = (int)Math.Round((w - size) * colPct);
        return cached.narrow(1, top, size).narrow(2, left, size);
    }

    /// <summary>
    /// Decodes one image to uint8 [3,h,w] RGB on white: for <see cref="ResizeMethod.Crop"/> the shorter side is
    /// <paramref name="size"/> and the longer at most <see cref="MaxCachedAspect"/>×size (its centre square is exactly what
    /// ML.NET's <c>ResizeImages</c> gives); otherwise [3,size,size].
    /// </summary>
    internal static Tensor Decode(ImageSource source, int size, ResizeMethod method, long maxPixels)
    {
        using var scope = NewDisposeScope();
        using var bitmap = DecodeLikeMlNet(source, maxPixels);
        using var resized = ResizeLikeMlNet(bitmap, size, method, forCache: false)!;
        var square = OntoWhite(PremultipliedRgba(resized));
        if (method != ResizeMethod.Crop || ResizeLikeMlNet(bitmap, size, method, forCache: true) is not { } wide) return square.MoveToOuterDisposeScope();
        using (wide)
        {
            // The wide canvas is for random training crops only; its centre is replaced by ML.NET's own square, because
            // Skia's sampling positions move by a rounding step when the same drawing is translated.
            var cached = OntoWhite(PremultipliedRgba(wide));
            int top = (wide.Height - size) / 2, left = (wide.Width - size) / 2;
            cached.narrow(1, top, size).narrow(2, left, size).copy_(square);
            return cached.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The pixels ML.NET's <c>ExtractPixels</c> hands the exported network for this image (with
    /// <c>colorsToExtract: All</c>, planar ARGB, 0..255, colour premultiplied by alpha), computed by the learner's own
    /// decoder: what to feed a model exported with <see cref="MlNetVision.Onnx.OnnxPixelInput.PremultipliedArgb"/> from ONNX Runtime.
    /// </summary>
    /// <param name="encoded">The encoded image (JPEG, PNG, BMP, GIF or WebP).</param>
    /// <param name="size">The side of the square result.</param>
    /// <param name="resizeMethod">How the image is brought to the square size.</param>
    /// <param name="maxPixels">Images whose declared width × height exceed this are refused.</param>
    /// <returns>float32 [4,size,size]: alpha, then premultiplied red, green, blue, each 0..255; the caller owns it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image, are truncated, or the image is too large.</exception>
    public static Tensor LoadPremultipliedArgb(byte[] encoded, int size, ResizeMethod resizeMethod = ResizeMethod.Crop,
        long maxPixels = ImageDataBunchOptions.DefaultMaxPixels) =>
        LoadPremultipliedArgb(ImageSource.FromBytes("bytes", encoded), size, resizeMethod, maxPixels);

    /// <summary>Loads an image file the way <see cref="LoadPremultipliedArgb(byte[], int, ResizeMethod, long)"/> loads bytes.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="size">The side of the square result.</param>
    /// <param name="resizeMethod">How the image is brought to the square size.</param>
    /// <param name="maxPixels">Images whose declared width × height exceed this are refused.</param>
    /// <returns>float32 [4,size,size]: alpha, then premultiplied red, green, blue, each 0..255; the caller owns it.</returns>
    /// <exception cref="ImageDecodeException">The file is not a decodable image, is truncated, or is too large.</exception>
    public static Tensor LoadPremultipliedArgb(string path, int size, ResizeMethod resizeMethod = ResizeMethod.Crop,
        long maxPixels = ImageDataBunchOptions.DefaultMaxPixels) =>
        LoadPremultipliedArgb(ImageSource.FromFile(path), size, resizeMethod, maxPixels);

    private static Tensor LoadPremultipliedArgb(ImageSource source, int size, ResizeMethod resizeMethod, long maxPixels)
    {
        Native.NativeBackend.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var bitmap = DecodeLikeMlNet(source, maxPixels);
        using var resized = ResizeLikeMlNet(bitmap, size, resizeMethod, forCache: false)!;
        var rgba = PremultipliedRgba(resized); // [h,w,4]
        return rgba.index_select(2, tensor(new long[] { 3, 0, 1, 2 })).permute(2, 0, 1).to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes as ML.NET's <c>MLImage.CreateFromStream</c> does (SkiaSharp's <c>SKBitmap.Decode</c>: the codec's own
    /// colour type, alpha premultiplied, no colour space, no EXIF orientation; anything but 8-bit RGBA/BGRA copied to
    /// BGRA), after checking the declared size. Truncated files are refused (SkiaSharp would keep the partial image).
    /// </summary>
    private static SKBitmap DecodeLikeMlNet(ImageSource source, long maxPixels)
    {
        using var stream = ImageProbe.Open(source);
        using var codec = ImageProbe.OpenCodec(stream, maxPixels);
        var info = codec.Info;

        if (info.AlphaType == SKAlphaType.Unpremul) info.AlphaType = SKAlphaType.Premul;
        info.ColorSpace = null;
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageDecodeException(ImageProbe.DecodeFailure(result));
        }
        if (bitmap.ColorType is SKColorType.Bgra8888 or SKColorType.Rgba8888) return bitmap;
        using (bitmap)
        {
            if (!bitmap.CanCopyTo(SKColorType.Bgra8888)) throw new ImageDecodeException($"unsupported pixel format {bitmap.ColorType}");
            return bitmap.Copy(SKColorType.Bgra8888) ?? throw new ImageDecodeException($"cannot convert {bitmap.ColorType} to BGRA");
        }
    }

    /// <summary>
    /// Resizes to size×size as ML.NET's <c>ResizeImages</c> does for the method (<see cref="ResizeMethod.Crop"/> =
    /// <c>IsoCrop</c>, centre anchor; <see cref="ResizeMethod.Pad"/> = <c>IsoPad</c>; <see cref="ResizeMethod.Squish"/> =
    /// <c>Fill</c>), with ML.NET's arithmetic, filters and untouched (transparent) borders; an image already at the size is
    /// kept as it is, as ML.NET keeps it. <paramref name="forCache"/> widens a crop's canvas (by an even number of pixels,
    /// at most <see cref="MaxCachedAspect"/>×size) around the same drawing, so random training crops have room; it
    /// returns <see langword="null"/> when there is nothing to widen.
    /// </summary>
    private static SKBitmap? ResizeLikeMlNet(SKBitmap image, int size, ResizeMethod method, bool forCache)
    {
        if (forCache && image.Width == size && image.Height == size) return null;
        if (image.Width == size && image.Height == size) return image.Copy();
        if (method == ResizeMethod.Squish)
        {
#pragma warning disable CS0618 // SkiaSharp 2.88's filter-quality overload is the one ML.NET 5 calls.
            return image.Resize(new SKSizeI(size, size), SKFilterQuality.None) ?? throw new ImageDecodeException("cannot be resized");
#pragma warning restore CS0618
        }

        float widthAspect = (float)size / image.Width, heightAspect = (float)size / image.Height;
        bool fitHeight = method == ResizeMethod.Crop ? !(heightAspect < widthAspect) : heightAspect < widthAspect;
        float aspect = fitHeight ? heightAspect : widthAspect;
        int destX = fitHeight ? (int)((size - image.Width * aspect) / 2) : 0;
        int destY = fitHeight ? 0 : (int)((size - image.Height * aspect) / 2);
        int destWidth = (int)(image.Width * aspect), destHeight = (int)(image.Height * aspect);

        int extraX = 0, extraY = 0;
        if (forCache && method == ResizeMethod.Crop)
        {
            var cap = (int)Math.Ceiling(size * MaxCachedAspect);
            extraX = Math.Max(0, Math.Min(destWidth, cap) - size) / 2;
            extraY = Math.Max(0, Math.Min(destHeight, cap) - size) / 2;
            if (extraX == 0 && extraY == 0) return null;
        }
        var target = new SKBitmap(size + 2 * extraX, size + 2 * extraY, isOpaque: true);
        using var canvas = new SKCanvas(target);
#pragma warning disable CS0618 // as ML.NET 5 draws: SKPaint.FilterQuality = High
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High };
#pragma warning restore CS0618
        var dest = new SKRect(destX + extraX, destY + extraY, destX + extraX + destWidth, destY + extraY + destHeight);
        canvas.DrawBitmap(image, new SKRect(0, 0, image.Width, image.Height), dest, paint);
        return target;
    }

    /// <summary>The bitmap's pixels as uint8 [h,w,4] in R, G, B, A order (colour premultiplied), whatever its byte order.</summary>
    private static Tensor PremultipliedRgba(SKBitmap bitmap)
    {
        if (bitmap.RowBytes != bitmap.Width * 4) throw new ImageDecodeException($"unexpected row stride {bitmap.RowBytes} for width {bitmap.Width}");
        var hwc = torch.tensor(bitmap.Bytes, [bitmap.Height, bitmap.Width, 4], ScalarType.Byte);
        return bitmap.ColorType switch
        {
            SKColorType.Rgba8888 => hwc,
            SKColorType.Bgra8888 => hwc.index_select(2, tensor(new long[] { 2, 1, 0, 3 })),
            _ => throw new ImageDecodeException($"unexpected pixel format {bitmap.ColorType}"),
        };
    }

    /// <summary>
    /// Composites premultiplied uint8 [h,w,4] RGBA onto white: <c>min(255, c + 255 − a)</c> per colour channel, the same
    /// integer arithmetic the exported graph does on ML.NET's premultiplied pixels. Returns uint8 [3,h,w].
    /// </summary>
    internal static Tensor OntoWhite(Tensor rgba)
    {
        using var scope = NewDisposeScope();
        var wide = rgba.to_type(ScalarType.Int16);
        var alpha = wide.narrow(2, 3, 1);
        // Explicit scalars, alive until the method returns: implicitly converted ones can be finalized while libtorch
        // still reads them (seen as "Unknown scalar type" in the parallel decode of 70,000 images).
        using Scalar white = 255, one = 1, zero = 0;
        var rgb = wide.narrow(2, 0, 3).sub(alpha).add_(white, one).clamp_(zero, white);
        return rgb.permute(2, 0, 1).to_type(ScalarType.Byte).contiguous().MoveToOuterDisposeScope();
    }
}
