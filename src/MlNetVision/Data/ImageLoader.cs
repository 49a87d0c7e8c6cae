using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// Decodes images with SkiaSharp (JPEG, PNG, BMP, GIF, WebP) into RGB uint8 tensors at the target size: grayscale
/// becomes three channels, alpha is flattened onto white and the EXIF orientation is applied.
/// </summary>
public static class ImageLoader
{
    /// <summary>The longest side kept in the cache for <see cref="ResizeMethod.Crop"/>, as a multiple of the target size; longer sides are centre-cropped first.</summary>
    internal const float MaxCachedAspect = 1.5f;

    /// <summary>
    /// Loads an image file the way the validation loader serves it: decoded, resized (centre crop, reflection pad
    /// or squish) to <paramref name="size"/>×<paramref name="size"/>, no augmentation.
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
    /// Decodes one image to uint8 [3,h,w] RGB: for <see cref="ResizeMethod.Crop"/> the shorter side is
    /// <paramref name="size"/> and the longer at most <see cref="MaxCachedAspect"/>×size; otherwise [3,size,size].
    /// </summary>
    internal static Tensor Decode(ImageSource source, int size, ResizeMethod method, long maxPixels)
    {
        using var stream = ImageProbe.Open(source);
        using var codec = ImageProbe.OpenCodec(stream, maxPixels);
        var info = codec.Info;

        var origin = codec.EncodedOrigin;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        // Work in displayed (oriented) coordinates, then map back to the encoded ones.
        int ow = swap ? info.Height : info.Width, oh = swap ? info.Width : info.Height;
        var (tw, th, cw, ch) = TargetGeometry(ow, oh, size, method);
        int rawTw = swap ? th : tw, rawTh = swap ? tw : th;
        double rawCw = swap ? ch : cw, rawCh = swap ? cw : ch;

        using var bitmap = DecodeScaled(codec, Math.Max(rawTw / rawCw, rawTh / rawCh));
        var sx = bitmap.Width / (double)info.Width;
        var sy = bitmap.Height / (double)info.Height;
        var srcW = rawCw * sx;
        var srcH = rawCh * sy;
        var srcLeft = (bitmap.Width - srcW) / 2;
        var srcTop = (bitmap.Height - srcH) / 2;
        var src = new SKRect((float)srcLeft, (float)srcTop, (float)(srcLeft + srcW), (float)(srcTop + srcH));

        using var target = new SKBitmap(new SKImageInfo(rawTw, rawTh, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (var paint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(bitmap, src, new SKRect(0, 0, rawTw, rawTh), paint);
        }

        using var scope = NewDisposeScope();
        var rgba = torch.tensor(target.Bytes, [rawTh, rawTw, 4], ScalarType.Byte);
        var chw = rgba.narrow(2, 0, 3).permute(2, 0, 1);
        var oriented = Orient(chw, origin);
        if (method == ResizeMethod.Pad) oriented = ReflectPad(oriented, size);
        return oriented.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Oriented target size (tw, th) and the oriented source region (cw, ch) centred in the image.</summary>
    private static (int Tw, int Th, double Cw, double Ch) TargetGeometry(int w, int h, int size, ResizeMethod method)
    {
        switch (method)
        {
            case ResizeMethod.Squish:
                return (size, size, w, h);
            case ResizeMethod.Pad:
            {
                var scale = size / (double)Math.Max(w, h);
                return (Math.Clamp((int)Math.Round(w * scale), 1, size), Math.Clamp((int)Math.Round(h * scale), 1, size), w, h);
            }
            default:
            {
                var scale = size / (double)Math.Min(w, h);
                var cap = (int)Math.Ceiling(size * MaxCachedAspect);
                var tw = Math.Max(size, (int)Math.Round(w * scale));
                var th = Math.Max(size, (int)Math.Round(h * scale));
                double cw = w, ch = h;
                if (tw > cap) { cw = cap / scale; tw = cap; }
                if (th > cap) { ch = cap / scale; th = cap; }
                return (tw, th, cw, ch);
            }
        }
    }

    /// <summary>Decodes at the smallest scale the codec offers that still covers <paramref name="scale"/> (JPEG decodes at 1/2, 1/4, 1/8 natively).</summary>
    private static SKBitmap DecodeScaled(SKCodec codec, double scale)
    {
        var full = codec.Info;
        var dims = scale < 1 ? codec.GetScaledDimensions((float)scale) : new SKSizeI(full.Width, full.Height);
        var result = TryDecode(codec, dims, out var bitmap);
        if (result == SKCodecResult.InvalidScale && (dims.Width != full.Width || dims.Height != full.Height))
            result = TryDecode(codec, new SKSizeI(full.Width, full.Height), out bitmap);
        if (result != SKCodecResult.Success)
        {
            bitmap?.Dispose();
            throw new ImageDecodeException(ImageProbe.DecodeFailure(result));
        }
        return bitmap!;
    }

    private static SKCodecResult TryDecode(SKCodec codec, SKSizeI dims, out SKBitmap? bitmap)
    {
        var info = new SKImageInfo(dims.Width, dims.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            bitmap = null;
        }
        return result;
    }

    /// <summary>Turns the encoded pixel order [3,h,w] into the displayed one, per the EXIF orientation.</summary>
    internal static Tensor Orient(Tensor chw, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => chw.flip(2),
        SKEncodedOrigin.BottomRight => chw.flip(1, 2),
        SKEncodedOrigin.BottomLeft => chw.flip(1),
        SKEncodedOrigin.LeftTop => chw.transpose(1, 2),
        SKEncodedOrigin.RightTop => chw.transpose(1, 2).flip(2),
        SKEncodedOrigin.RightBottom => chw.transpose(1, 2).flip(1, 2),
        SKEncodedOrigin.LeftBottom => chw.transpose(1, 2).flip(1),
        _ => chw,
    };

    /// <summary>Pads a uint8 [3,h,w] image to [3,size,size] by reflection (repeated when the image is thinner than the padding).</summary>
    private static Tensor ReflectPad(Tensor chw, int size)
    {
        var x = chw.to_type(ScalarType.Float32).unsqueeze(0);
        while (x.shape[2] < size || x.shape[3] < size)
        {
            long h = x.shape[2], w = x.shape[3];
            long padH = Math.Min(size - h, h - 1), padW = Math.Min(size - w, w - 1);
            if (padH <= 0 && h < size || padW <= 0 && w < size)
            {
                // A one-pixel-thin image cannot be reflected: repeat its edge.
                x = nn.functional.pad(x, [0, Math.Max(0, size - w), 0, Math.Max(0, size - h)], PaddingModes.Replicate);
                break;
            }
            long top = padH / 2, left = padW / 2;
            x = nn.functional.pad(x, [left, padW - left, top, padH - top], PaddingModes.Reflect);
        }
        // Centre the original: reflection pads above were split evenly each round.
        return x.squeeze(0).round().to_type(ScalarType.Byte);
    }
}
