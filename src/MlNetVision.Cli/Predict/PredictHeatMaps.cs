using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Rendering;
using MlNetVision.Training;
using TorchSharp;

namespace MlNetVision.Cli.Predict;

/// <summary>
/// <c>predict --heatmap OUT</c>: the model.zip holds an ONNX network, which has no gradients, so the heat maps come from
/// the TorchSharp checkpoint <c>train</c> writes next to it (<c>model.ckpt</c>, the same final weights).
/// </summary>
public static class PredictHeatMaps
{
    /// <summary>The checkpoint that belongs to <paramref name="modelZip"/>: <c>model.ckpt</c> in the same folder.</summary>
    public static string CheckpointFor(string modelZip) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelZip))!, OutputFiles.CheckpointName + Checkpoint.Extension);

    /// <summary>Checks that the checkpoint exists and names the model's classes; returns its path.</summary>
    /// <exception cref="CliException">No checkpoint next to the model (exit 3), or one for other classes (exit 5).</exception>
    public static string RequireCheckpoint(string modelZip, IReadOnlyList<string> classes)
    {
        var path = CheckpointFor(modelZip);
        if (!File.Exists(path))
            throw CliException.NotFound(
                $"--heatmap needs the TorchSharp checkpoint that 'mlnet-vision train' writes next to model.zip, and '{path}' does not exist. " +
                "The model.zip alone (an ONNX network) cannot compute heat maps: keep model.ckpt in the model's folder.");
        CheckpointInfo info;
        try { info = Checkpoint.ReadInfo(path); }
        catch (InvalidDataException e) { throw CliException.ModelMismatch(e.Message, e); }
        if (!info.Classes.SequenceEqual(classes))
            throw CliException.ModelMismatch($"'{path}' was trained on other classes than the model.zip next to it: they are not from the same training run.");
        return path;
    }

    /// <summary>Feature maps with fewer cells than this give coarse heat maps (fastai v1's <c>heatmap_thresh=16</c> draws none below it).</summary>
    public const int CoarseBelowCells = 16;

    /// <summary>Writes one single-image heat-map view per image to <paramref name="outFolder"/>/&lt;name&gt;.png; returns the files written.</summary>
    /// <param name="checkpoint">The checkpoint (see <see cref="RequireCheckpoint"/>).</param>
    /// <param name="images">The readable images, with the name each one is shown under (its path relative to the input).</param>
    /// <param name="outFolder">The folder to write to (created).</param>
    /// <param name="output">Where the warning about coarse maps goes.</param>
    /// <param name="cancellation">Stops between images.</param>
    public static IReadOnlyList<string> Write(string checkpoint, IReadOnlyList<(string Path, string Name)> images, string outFolder, CliOutput output, CancellationToken cancellation)
    {
        var folder = OutputFolder.Create(outFolder);
        var (model, info) = Checkpoint.LoadModel(checkpoint);
        using var _ = model;
        var resize = Enum.Parse<ResizeMethod>(info.ResizeMethod);
        var written = new List<string>(images.Count);
        foreach (var (path, name) in images)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var map = GradCam.Compute(model, ImageLoader.LoadForInference(path, info.ImageSize, resize), classIndex: null);
            // "cat/1.jpg" → OUT/cat/1.jpg.png: keeps the input's layout and never maps two inputs to one file.
            written.Add(HeatMapPlot.Save(map, info.Classes, Path.Combine(folder, name + ".png")));
            if (written.Count == 1 && map.FeatureHeight * map.FeatureWidth < CoarseBelowCells)
                output.Warning($"At {info.ImageSize} px the body's last feature map is {map.FeatureHeight}x{map.FeatureWidth}: the heat maps are coarse " +
                    $"(a {map.FeatureHeight}x{map.FeatureWidth} grid stretched over the image; a 1x1 map is flat). Train at 128 px or more for a 4x4 grid.");
        }
        return written;
    }
}
