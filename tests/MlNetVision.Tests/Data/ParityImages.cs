using System.Diagnostics;
using SkiaSharp;

namespace MlNetVision.Tests.Data;

/// <summary>
/// Writes one file of every image kind the training/serving parity tests cover into a folder, generated on the spot
/// (nothing is committed). SkiaSharp encodes what it can (RGB/RGBA/gray PNG, baseline JPEG with an EXIF orientation
/// inserted by hand, lossy and lossless WebP); BMP is written byte by byte; PIL (Debian's python3-pil, installed by
/// .ci/setup) writes what SkiaSharp cannot encode: gray+alpha and palette PNGs with transparency, 16-bit PNGs, CMYK and
/// progressive JPEGs, and a GIF with a transparent index.
/// </summary>
internal static class ParityImages
{
    /// <summary>The Python interpreter that has PIL (Debian's, not a user's pyenv).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Writes every kind into <paramref name="dir"/>; returns (kind, path) pairs.</summary>
    /// <param name="dir">An existing folder.</param>
    /// <param name="large">Also write the ≥ 2000 px JPEG and WebP (a few hundred ms).</param>
    public static IReadOnlyList<(string Kind, string Path)> Write(string dir, bool large = true)
    {
        var files = new List<(string, string)>();
        string P(string name) => Path.Combine(dir, name);

        files.Add(("rgb png", Encode(P("rgb.png"), Pattern(60, 45, 1), SKEncodedImageFormat.Png)));
        using (var gray = Pattern(50, 50, 2).Copy(SKColorType.Gray8)) files.Add(("gray png", Encode(P("gray.png"), gray, SKEncodedImageFormat.Png)));
        files.Add(("rgba png, soft edges", Encode(P("rgba-soft.png"), Transparent(64, 48, 3, soft: true), SKEncodedImageFormat.Png)));
        files.Add(("rgba png, hard edges", Encode(P("rgba-hard.png"), Transparent(48, 64, 4, soft: false), SKEncodedImageFormat.Png)));
        files.Add(("wide png", Encode(P("wide.png"), Pattern(150, 40, 5), SKEncodedImageFormat.Png)));
        files.Add(("tall png", Encode(P("tall.png"), Pattern(40, 150, 6), SKEncodedImageFormat.Png)));
        files.Add(("jpeg", Encode(P("plain.jpg"), Pattern(64, 48, 7), SKEncodedImageFormat.Jpeg)));
        var jpeg = File.ReadAllBytes(P("plain.jpg"));
        for (int orientation = 1; orientation <= 8; orientation++)
        {
            var path = P($"exif{orientation}.jpg");
            File.WriteAllBytes(path, ImageLoaderTests.WithExifOrientation(jpeg, orientation));
            files.Add(($"jpeg, EXIF orientation {orientation}", path));
        }
        files.Add(("lossy webp", Encode(P("lossy.webp"), Pattern(56, 56, 8), SKEncodedImageFormat.Webp)));
        using (var bitmap = Transparent(52, 40, 9, soft: true))
        using (var pixmap = bitmap.PeekPixels())
        using (var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)))
        {
            File.WriteAllBytes(P("lossless.webp"), data.ToArray());
            files.Add(("lossless webp with alpha", P("lossless.webp")));
        }
        files.Add(("bmp", WriteBmp(P("rgb.bmp"), Pattern(45, 30, 10))));
        if (large)
        {
            files.Add(("2400x1800 jpeg", Encode(P("large.jpg"), Pattern(2400, 1800, 11), SKEncodedImageFormat.Jpeg)));
            files.Add(("2000x1500 webp", Encode(P("large.webp"), Pattern(2000, 1500, 12), SKEncodedImageFormat.Webp)));
        }
        files.AddRange(WriteWithPil(dir));
        return files;
    }

    /// <summary>A colourful, detailed opaque picture (gradients, stripes, a disc) that differs per seed.</summary>
    public static SKBitmap Pattern(int width, int height, int seed)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var rng = new Random(seed);
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint { IsAntialias = true };
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                   [Random(rng), Random(rng), Random(rng)], SKShaderTileMode.Clamp))
        {
            paint.Shader = shader;
            canvas.DrawRect(0, 0, width, height, paint);
        }
        paint.Shader = null;
        for (int i = 0; i < 6; i++)
        {
            paint.Color = Random(rng);
            paint.StrokeWidth = Math.Max(1, Math.Min(width, height) / 15f);
            canvas.DrawLine(rng.Next(width), rng.Next(height), rng.Next(width), rng.Next(height), paint);
        }
        paint.Color = Random(rng);
        canvas.DrawCircle(width * 0.4f, height * 0.55f, Math.Min(width, height) * 0.25f, paint);
        return bitmap;
    }

    /// <summary>
    /// A transparent icon: a coloured shape on a fully transparent background whose hidden colour is noise (so a reader
    /// that drops alpha instead of compositing would see it); <paramref name="soft"/> gives a radial alpha ramp.
    /// </summary>
    public static SKBitmap Transparent(int width, int height, int seed, bool soft)
    {
        var rng = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var a = Random(rng);
        var b = Random(rng);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double dx = (x - width / 2.0) / (width / 2.0), dy = (y - height / 2.0) / (height / 2.0);
                double r = Math.Sqrt(dx * dx + dy * dy);
                byte alpha = soft ? (byte)Math.Clamp((int)Math.Round(255 * (1 - r)), 0, 255) : (byte)(r < 0.7 || (x / 6 + y / 6) % 3 == 0 ? 255 : 0);
                var c = alpha == 0 ? new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256), 0)
                    : x < width / 2 ? a.WithAlpha(alpha) : b.WithAlpha(alpha);
                bitmap.SetPixel(x, y, c);
            }
        return bitmap;
    }

    private static SKColor Random(Random rng) => new((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));

    private static string Encode(string path, SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using (bitmap)
        using (var data = bitmap.Encode(format, 90)) File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>A bottom-up 24-bit BMP, written byte by byte (SkiaSharp has no BMP encoder).</summary>
    private static string WriteBmp(string path, SKBitmap bitmap)
    {
        using (bitmap)
        {
            int w = bitmap.Width, h = bitmap.Height, rowBytes = (w * 3 + 3) & ~3;
            using var s = new BinaryWriter(File.Create(path));
            s.Write((byte)'B'); s.Write((byte)'M'); s.Write(54 + rowBytes * h); s.Write(0); s.Write(54);
            s.Write(40); s.Write(w); s.Write(h); s.Write((short)1); s.Write((short)24); s.Write(0); s.Write(rowBytes * h); s.Write(2835); s.Write(2835); s.Write(0); s.Write(0);
            for (int y = h - 1; y >= 0; y--)
            {
                for (int x = 0; x < w; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    s.Write(c.Blue); s.Write(c.Green); s.Write(c.Red);
                }
                for (int p = w * 3; p < rowBytes; p++) s.Write((byte)0);
            }
        }
        return path;
    }

    /// <summary>The PIL half: prints one "kind\tfile" line per image written.</summary>
    private const string PilScript = """
        import sys, os, zlib, struct
        from PIL import Image, ImageDraw
        out = sys.argv[1]
        def picture(w, h, seed, mode="RGB"):
            im = Image.new("RGB", (w, h))
            px = im.load()
            for y in range(h):
                for x in range(w):
                    px[x, y] = ((x * 7 + seed * 40) % 256, (y * 5 + x * 3) % 256, (seed * 90 + (x ^ y) * 4) % 256)
            d = ImageDraw.Draw(im)
            d.ellipse([w // 5, h // 4, w * 3 // 4, h * 4 // 5], fill=((seed * 70) % 256, 200, 60))
            return im
        def report(kind, name):
            print(kind + "\t" + os.path.join(out, name))
        la = Image.new("LA", (50, 40))
        la.putdata([((x * 5 + y * 3) % 256, 255 if (x - 25) ** 2 + (y - 20) ** 2 < 220 else (x * 11) % 200) for y in range(40) for x in range(50)])
        la.save(os.path.join(out, "gray-alpha.png")); report("gray+alpha png", "gray-alpha.png")
        pal = picture(48, 48, 2).quantize(16)
        pal.info["transparency"] = 3
        pal.save(os.path.join(out, "palette.png"), transparency=3); report("palette png with transparency", "palette.png")
        gif = picture(40, 56, 3).quantize(32)
        gif.save(os.path.join(out, "anim.gif"), transparency=5); report("gif with transparency", "anim.gif")
        cmyk = picture(60, 44, 4).convert("CMYK")
        cmyk.save(os.path.join(out, "cmyk.jpg"), quality=92); report("cmyk jpeg", "cmyk.jpg")
        picture(64, 40, 5).save(os.path.join(out, "progressive.jpg"), quality=90, progressive=True); report("progressive jpeg", "progressive.jpg")
        g16 = Image.new("I;16", (44, 44))
        g16.putdata([(x * 1500 + y * 37) % 65536 for y in range(44) for x in range(44)])
        g16.save(os.path.join(out, "gray16.png")); report("16-bit gray png", "gray16.png")
        # 16-bit RGBA PNG written chunk by chunk (PIL cannot save 16-bit colour).
        w, h = 40, 30
        raw = b"".join(b"\x00" + b"".join(struct.pack(">HHHH", (x * 1700) % 65536, (y * 2100) % 65536, ((x + y) * 900) % 65536,
                                                       65535 if x < 30 else (y * 2000) % 65536) for x in range(w)) for y in range(h))
        def chunk(tag, data):
            return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
        open(os.path.join(out, "rgba16.png"), "wb").write(png); report("16-bit rgba png", "rgba16.png")
        """;

    private static IEnumerable<(string, string)> WriteWithPil(string dir)
    {
        var script = Path.Combine(dir, "make_images.py");
        File.WriteAllText(script, PilScript);
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(dir);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"{Python} is needed to write the PIL images (install python3-pil: bash .ci/setup): {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"writing the PIL images failed (python3-pil missing? run bash .ci/setup):\n{stderr}");
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToList();
        }
    }
}
