using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Data;
using MlNetVision.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Cli;

/// <summary>Opens what the tool wrote: decodes its PNGs, loads its checkpoint and runs its ONNX file in ONNX Runtime.</summary>
internal static partial class CliArtifacts
{
    /// <summary>Decodes a plot PNG and checks its size and that it is drawn (dark axis and text pixels, and colour from the series).</summary>
    public static void AssertPlot(string path, int width = 800, int height = 500)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} is not a decodable image");
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        int dark = 0, coloured = 0;
        for (int y = 0; y < height; y += 2)
            for (int x = 0; x < width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 200) dark++;
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 60) coloured++;
            }
        Assert.True(dark > 500, $"{path}: only {dark} dark sampled pixels, the axes and labels are missing");
        Assert.True(coloured > 100, $"{path}: only {coloured} coloured sampled pixels, no series is drawn");
    }

    /// <summary>Decodes every image embedded in an HTML report; returns their sizes in page order.</summary>
    public static List<(int Width, int Height)> EmbeddedImages(string htmlPath)
    {
        var sizes = new List<(int, int)>();
        foreach (Match m in EmbeddedPng().Matches(File.ReadAllText(htmlPath)))
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value));
            Assert.True(bitmap is not null, $"an image embedded in {htmlPath} does not decode");
            sizes.Add((bitmap.Width, bitmap.Height));
        }
        return sizes;
    }

    /// <summary>
    /// Loads the checkpoint and runs the labelled images through it (TorchSharp, loaded as the validation loader serves
    /// them) and through the ONNX file (ONNX Runtime, the same image as ML.NET's ExtractPixels gives it, alpha and premultiplied RGB in 0..255); returns the checkpoint's accuracy and
    /// the largest difference between the two networks' probabilities.
    /// </summary>
    public static (double Accuracy, double MaxDifference) CompareCheckpointAndOnnx(string checkpoint, string onnx, IReadOnlyList<LabelledFile> images)
    {
        var (model, info) = Checkpoint.LoadModel(checkpoint);
        using var _ = model;
        using var session = new InferenceSession(onnx);
        var input = session.InputMetadata.Single();
        Assert.Equal([1, 4, info.ImageSize, info.ImageSize], input.Value.Dimensions); // alpha + premultiplied RGB, as ExtractPixels(All) gives
        int correct = 0;
        double maxDifference = 0;
        using var noGrad = no_grad();
        foreach (var image in images)
        {
            using var scope = NewDisposeScope();
            var pixels = ImageLoader.LoadForInference(image.Path, info.ImageSize).unsqueeze(0);
            var torchProbs = nn.functional.softmax(model.forward(pixels), 1).data<float>().ToArray();
            var onnxInput = new DenseTensor<float>(ImageLoader.LoadPremultipliedArgb(image.Path, info.ImageSize).contiguous().data<float>().ToArray(), [1, 4, info.ImageSize, info.ImageSize]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Key, onnxInput)]);
            var onnxProbs = results.Single(r => r.Name == "probabilities").AsEnumerable<float>().ToArray();
            Assert.Equal(info.Classes.Length, onnxProbs.Length);
            for (int c = 0; c < onnxProbs.Length; c++) maxDifference = Math.Max(maxDifference, Math.Abs(onnxProbs[c] - torchProbs[c]));
            if (info.Classes[Array.IndexOf(torchProbs, torchProbs.Max())] == image.Label) correct++;
        }
        return (correct / (double)images.Count, maxDifference);
    }

    [GeneratedRegex("data:image/png;base64,([A-Za-z0-9+/=]+)")]
    private static partial Regex EmbeddedPng();
}
