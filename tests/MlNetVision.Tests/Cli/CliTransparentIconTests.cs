using MlNetVision.Tests.Data;
using SkiaSharp;

namespace MlNetVision.Tests.Cli;

/// <summary>
/// The scenario of issue 12: colour icons with transparency (and noise hidden under the transparent pixels) trained with
/// <c>mlnet-vision train</c> must give the same validation accuracy from <c>mlnet-vision evaluate model.zip</c> — which
/// scores with stock ML.NET — as the learner reported. Before the fix the two printed 0.57 and 0.22.
/// </summary>
[Collection(CliProcessCollection.Name)]
public class CliTransparentIconTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Should_ReportTheLearnersAccuracy_When_EvaluatingTransparentIconsThroughModelZip()
    {
        using var temp = new TempFolder("icons");
        var root = temp.Path;
        string[] classes = ["disc", "ring", "square"];
        for (int k = 0; k < classes.Length; k++)
            foreach (var (split, count) in new[] { ("train", 10), ("valid", 8) })
                for (int i = 0; i < count; i++)
                    Icon(Path.Combine(root, split, classes[k], $"{classes[k]}_{i}.png"), k, seed: (split == "train" ? 0 : 1000) + 31 * k + i);

        var modelDir = Path.Combine(root, "model");
        var train = await CliProcess.RunAsync(root, Limit, "train", root, "--size", "32", "--bs", "8", "--epochs", "2", "--unfreeze-epochs", "0",
            "--lr", "1e-3", "--out", modelDir);
        Assert.True(train.ExitCode == 0, train.ToString());
        var evaluate = await CliProcess.RunAsync(root, Limit, "evaluate", Path.Combine(modelDir, "model.zip"), root);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());

        Assert.Equal(24, CliSample.Fact(evaluate.StdOut, "images"));
        Assert.Equal(CliSample.Fact(train.StdOut, "accuracy"), CliSample.Fact(evaluate.StdOut, "accuracy"), 6);
    }

    /// <summary>A 40x40 icon of class <paramref name="k"/> in a random colour on a transparent background hiding random noise.</summary>
    private static void Icon(string path, int k, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(40, 40, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 40; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256), 0));
        using (var shape = ParityImages.Pattern(40, 40, seed))
        {
            var color = shape.GetPixel(20, 20);
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 40; x++)
                {
                    double r = Math.Sqrt((x - 19.5) * (x - 19.5) + (y - 19.5) * (y - 19.5));
                    bool inside = k switch { 0 => r < 14, 1 => r is > 10 and < 16, _ => Math.Abs(x - 19.5) < 12 && Math.Abs(y - 19.5) < 12 };
                    if (inside) bitmap.SetPixel(x, y, color.WithAlpha((byte)(200 + rng.Next(56))));
                }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
