using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Tests.MlNet;
using SkiaSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Serving;

/// <summary>
/// The signature docs/SCALING.md gives distributed engines (Spark/SynapseML, Triton with ONNX Runtime): an ONNX file
/// exported with <see cref="OnnxBatchLayout.Dynamic"/> takes float [N, 3, H, W] planar RGB 0..255 and returns
/// probabilities [N, C] and predicted_index [N] (int64), at any batch size.
/// </summary>
public class DynamicBatchOnnxTests
{
    private const int Size = 32;
    private static readonly string[] Classes = ["bag", "coat", "sandal", "trouser"];

    public DynamicBatchOnnxTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_TakeAnyBatchAndMatchOneImageAtATime_When_ExportedWithTheDynamicLayout()
    {
        using var temp = new TempFolder("dynamic");
        var dir = temp.Path;
        string onnx;
        using (NewDisposeScope())
        {
            manual_seed(3);
            var model = VisionModel.Create(Architectures.ResNet18MlNet, Classes.Length, pretrained: true);
            onnx = OnnxExporter.Export(model, Path.Combine(dir, "model.onnx"), new OnnxExportOptions { ClassNames = Classes });
        }
        using var session = new InferenceSession(onnx);

        // The signature, as ONNX Runtime reads it.
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("pixels", input.Key);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal([-1, 3, -1, -1], input.Value.Dimensions);
        Assert.Equal(["N", "", "height", "width"], input.Value.SymbolicDimensions);
        Assert.Equal(["probabilities", "predicted_index"], session.OutputMetadata.Keys);
        Assert.Equal(typeof(float), session.OutputMetadata["probabilities"].ElementType);
        Assert.Equal([-1, Classes.Length], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal(typeof(long), session.OutputMetadata["predicted_index"].ElementType);
        Assert.Equal([-1], session.OutputMetadata["predicted_index"].Dimensions);
        Assert.Equal(string.Join('\n', Classes), session.ModelMetadata.CustomMetadataMap["class_names"]);

        var images = RealImages(64);
        var single = images.Select(image => Run(session, [image])).Select(r => (P: r.P[0], I: r.I[0])).ToList();
        Assert.All(single, s => Assert.Equal(Array.IndexOf(s.P, s.P.Max()), s.I));
        foreach (var batch in new[] { 1, 7, 64 })
        {
            var (p, i) = Run(session, images.Take(batch).ToList());
            Assert.Equal(batch, p.Length);
            for (int n = 0; n < batch; n++)
            {
                var diff = p[n].Zip(single[n].P, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(diff <= 1e-5f, $"batch {batch}, image {n}: probabilities differ from the single-image run by {diff}");
                Assert.Equal(single[n].I, i[n]);
            }
        }
    }

    /// <summary>Runs a batch; returns per-image probabilities and indices.</summary>
    private static (float[][] P, long[] I) Run(InferenceSession session, IReadOnlyList<float[]> images)
    {
        var tensor = new DenseTensor<float>([images.Count, 3, Size, Size]);
        for (int n = 0; n < images.Count; n++) images[n].CopyTo(tensor.Buffer.Span[(n * images[n].Length)..]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", tensor)]);
        var probabilities = results.First(r => r.Name == "probabilities").AsTensor<float>();
        var index = results.First(r => r.Name == "predicted_index").AsTensor<long>();
        Assert.Equal([images.Count, Classes.Length], probabilities.Dimensions.ToArray());
        Assert.Equal([images.Count], index.Dimensions.ToArray());
        var p = Enumerable.Range(0, images.Count).Select(n => Enumerable.Range(0, Classes.Length).Select(c => probabilities[n, c]).ToArray()).ToArray();
        return (p, index.ToArray());
    }

    /// <summary>Sample images of the four classes resized to <see cref="Size"/>, as planar RGB floats 0..255.</summary>
    private static List<float[]> RealImages(int count) =>
        SampleData.Rows("valid", Classes, (count + Classes.Length - 1) / Classes.Length).Take(count).Select(row =>
        {
            using var decoded = SKBitmap.Decode(row.ImagePath);
            using var resized = decoded.Resize(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul), SKFilterQuality.Medium);
            var rgba = resized.Bytes;
            var planar = new float[3 * Size * Size];
            for (int y = 0, p = 0; y < Size; y++)
                for (int x = 0; x < Size; x++, p++)
                    for (int c = 0; c < 3; c++) planar[c * Size * Size + p] = rgba[p * 4 + c];
            return planar;
        }).ToList();
}
