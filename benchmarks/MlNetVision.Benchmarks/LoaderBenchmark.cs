using System.Diagnostics;
using MlNetVision.Data;
using MlNetVision.Native;
using SkiaSharp;
using TorchSharp;

namespace MlNetVision.Benchmarks;

/// <summary>
/// Images per second of the data side alone (no model): building the bunch (decode + resize of every image, in
/// parallel: "cold"), one augmented training epoch and one validation epoch from the uint8 cache ("cached"), and one
/// training epoch with the cache turned off (every batch decoded again on the prefetch task).
/// </summary>
internal static class LoaderBenchmark
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        NativeBackend.EnsureLoaded();
        var root = Path.Combine(Path.GetTempPath(), $"mlnv-loader-bench-{count}");
        MakePhotos(root, count);
        Console.WriteLine($"Loader benchmark: {count} JPEGs of 500x375 in 2 classes, {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}");
        Console.WriteLine($"| size | cold build (decode+resize) | cached train epoch (augmented) | cached valid epoch | uncached train epoch |");
        Console.WriteLine($"|---|---|---|---|---|");
        foreach (var size in new[] { 64, 224 })
        {
            var options = new ImageDataBunchOptions { Size = size, BatchSize = 64, ValidPct = 0.2 };
            var sw = Stopwatch.StartNew();
            using var bunch = ImageDataBunch.FromFolder(root, options);
            var cold = count / sw.Elapsed.TotalSeconds;
            Epoch(bunch.Train); // warm-up
            var train = Epoch(bunch.Train);
            var valid = Epoch(bunch.Valid);

            var lazyOptions = new ImageDataBunchOptions { Size = size, BatchSize = 64, ValidPct = 0.2, MaxCacheBytes = 0 };
            using var lazy = ImageDataBunch.FromFolder(root, lazyOptions);
            var uncached = Epoch(lazy.Train);
            Console.WriteLine($"| {size} | {cold:F0} img/s | {train:F0} img/s | {valid:F0} img/s | {uncached:F0} img/s |");
        }
        return 0;
    }

    private static double Epoch(DataLoader loader)
    {
        var sw = Stopwatch.StartNew();
        var n = 0;
        foreach (var batch in loader)
        {
            n += batch.Count;
            batch.Dispose();
        }
        return n / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Writes photo-like JPEGs (gradients, shapes, noise) once; reused by later runs.</summary>
    private static void MakePhotos(string root, int count)
    {
        var done = root + ".complete";
        if (File.Exists(done)) return;
        Parallel.For(0, count, i =>
        {
            var rng = new Random(i);
            var cls = i % 2 == 0 ? "circles" : "squares";
            var path = Path.Combine(root, cls, $"{cls}_{i:D5}.jpg");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var bitmap = new SKBitmap(500, 375);
            using (var canvas = new SKCanvas(bitmap))
            {
                using var bg = new SKPaint
                {
                    Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(500, 375),
                        [new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)), new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256))],
                        SKShaderTileMode.Clamp),
                };
                canvas.DrawRect(0, 0, 500, 375, bg);
                using var paint = new SKPaint { IsAntialias = true };
                for (var k = 0; k < 40; k++)
                {
                    paint.Color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256), 200);
                    float x = rng.Next(500), y = rng.Next(375), r = 5 + rng.Next(40);
                    if (cls == "circles") canvas.DrawCircle(x, y, r, paint);
                    else canvas.DrawRect(x, y, r, r, paint);
                }
                using var noise = new SKPaint();
                for (var k = 0; k < 3000; k++)
                {
                    noise.Color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                    canvas.DrawPoint(rng.Next(500), rng.Next(375), noise);
                }
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(path, data.ToArray());
        });
        File.WriteAllText(done, "");
    }
}
