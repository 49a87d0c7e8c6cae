using System.Diagnostics;
using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks;

/// <summary>Milliseconds per batch of each step of the batched augmentation, to see where the loader's time goes.</summary>
internal static class AugmentBenchmark
{
    public static int Run(string[] args)
    {
        NativeBackend.EnsureLoaded();
        foreach (var size in new[] { 64, 224 })
        {
            using var x = rand(64, 3, size, size);
            var theta = tensor(Enumerable.Range(0, 64).SelectMany(_ => new float[] { 0.9f, -0.1f, 0.05f, 0.1f, 0.9f, -0.02f }).ToArray(), [64, 2, 3]);
            using var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
            Time($"{size}: affine_grid", () => nn.functional.affine_grid(theta, x.shape, align_corners: false).Dispose());
            Time($"{size}: grid_sample reflection", () => nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false).Dispose());
            Time($"{size}: grid_sample zeros", () => nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).Dispose());
            Time($"{size}: lighting", () => { using var s = NewDisposeScope(); x.logit(1e-6).add_(0.1).mul_(1.1).sigmoid_(); });
            using var u8 = randint(0, 255, [64, 3, size, size], ScalarType.Byte);
            Time($"{size}: uint8->float", () => u8.to_type(ScalarType.Float32).div_(255f).Dispose());
        }
        return 0;
    }

    private static void Time(string name, Action action)
    {
        action();
        var sw = Stopwatch.StartNew();
        const int n = 5;
        for (var i = 0; i < n; i++) action();
        Console.WriteLine($"{name,-32} {sw.Elapsed.TotalMilliseconds / n,8:F1} ms/batch of 64");
    }
}
