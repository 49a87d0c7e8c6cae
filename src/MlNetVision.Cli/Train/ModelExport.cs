using Microsoft.ML;
using MlNetVision.Cli.Running;
using MlNetVision.Cli.Scoring;
using MlNetVision.IO;
using MlNetVision.MlNet;
using MlNetVision.Onnx;
using MlNetVision.Training;

namespace MlNetVision.Cli.Train;

/// <summary>
/// Writes the trained network as <c>model.onnx</c> (ML.NET's pixels: planar alpha + premultiplied RGB 0..255
/// <c>[1, 4, size, size]</c> in, composited onto white inside the graph;
/// probabilities out) and as <c>model.zip</c>, a stock ML.NET model built from ML.NET's own transformers over that ONNX
/// file (<see cref="OnnxScoringPipeline"/>), which any ML.NET app can load without this library.
/// </summary>
public static class ModelExport
{
    /// <summary>Exports <paramref name="learner"/> into <paramref name="outDir"/>; returns (kind, path) of each file written.</summary>
    public static IReadOnlyList<(string Kind, string Path)> Export(Learner learner, string outDir)
    {
        var size = learner.Data.ImageSize;
        var onnx = learner.ExportOnnx(Path.Combine(outDir, OutputFiles.Onnx), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage,
            Height = size,
            Width = size,
            PixelInput = OnnxPixelInput.PremultipliedArgb,
        });
        var ml = new MLContext(seed: 0);
        // Disposing the chain deletes the temporary copy of the ONNX file that ML.NET's ONNX transformer makes.
        using var chain = OnnxScoringPipeline.Create(ml, onnx, learner.Classes, size, imageColumnName: ScoringModel.ImageColumn, resizeMethod: learner.Data.ResizeMethod);
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>()).Schema;
        var zip = AtomicFile.Write(Path.Combine(outDir, OutputFiles.Zip), stream => ml.Model.Save(chain, schema, stream));
        return [("onnx", onnx), ("ml.net model", zip)];
    }
}
