using MlNetVision.IO;
using System.Runtime.InteropServices;
using MlNetVision.Rendering;
using MlNetVision.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Interpretation;

/// <summary>fastai's <c>learn.show_results()</c>: the first validation items as the model sees them, with actual and predicted class.</summary>
public static class LearnerResultsExtensions
{
    /// <summary>
    /// Predicts the first <paramref name="maxN"/> validation items (the loader's order, no augmentation) and returns an
    /// interpretation of just those, whose item images are the model's input pictures (resized as the validation set is).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxN"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The validation set is empty.</exception>
    public static ClassificationInterpretation ValidationResults(this Learner learner, int maxN = ClassificationInterpretation.DefaultResultsCount)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxN);
        var loader = learner.Data.Valid;
        int n = Math.Min(maxN, loader.Count);
        if (n == 0) throw new InvalidOperationException("The validation set is empty: there are no results to show.");
        using var scope = torch.NewDisposeScope();
        using var batch = loader.GetBatch(Enumerable.Range(0, n).ToArray());
        var probabilities = ModelInference.Probabilities(learner.Model, batch.Images);
        var targets = batch.Labels.data<long>().Select(l => (int)l).ToArray();
        var pixels = batch.Images.detach().clamp(0, 1).mul(255).round().to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        int h = (int)pixels.shape[1], w = (int)pixels.shape[2];
        var rgb = pixels.data<byte>().ToArray();
        var images = ItemImageSource.FromDelegate(n, i => { using var bitmap = ToBitmap(rgb, i, w, h); return bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray(); }, i => loader.Items[i].Path);
        return ClassificationInterpretation.FromPredictions(learner.Classes, probabilities, targets, items: images);
    }

    /// <summary>Draws the first <paramref name="maxN"/> validation items with actual and predicted class (fastai <c>show_results</c>) and returns the PNG bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxN"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The validation set is empty.</exception>
    public static byte[] ShowResults(this Learner learner, int maxN = ClassificationInterpretation.DefaultResultsCount, ResultsPlotOptions? options = null) =>
        ResultsPlot.Render(learner.ValidationResults(maxN), maxN, options);

    /// <summary>Draws the first <paramref name="maxN"/> validation items to a PNG file, written atomically (fastai <c>show_results</c>).</summary>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxN"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The validation set is empty.</exception>
    public static string ShowResults(this Learner learner, string pngPath, int maxN = ClassificationInterpretation.DefaultResultsCount, ResultsPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(pngPath, learner.ShowResults(maxN, options));

    private static SKBitmap ToBitmap(byte[] rgb, int item, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        int offset = item * width * height * 3;
        for (int p = 0; p < width * height; p++)
        {
            rgba[p * 4] = rgb[offset + p * 3];
            rgba[p * 4 + 1] = rgb[offset + p * 3 + 1];
            rgba[p * 4 + 2] = rgb[offset + p * 3 + 2];
            rgba[p * 4 + 3] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
