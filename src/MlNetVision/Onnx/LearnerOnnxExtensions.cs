using MlNetVision.Training;

namespace MlNetVision.Onnx;

/// <summary>ONNX export from a <see cref="Learner"/> (fastai's <c>learn.export()</c>, to a format any runtime reads).</summary>
public static class LearnerOnnxExtensions
{
    /// <summary>
    /// Exports the learner's model with <see cref="OnnxExporter"/>, recording its classes in the file's metadata. Input is
    /// float <c>[N, 3, H, W]</c> planar RGB in 0..255 unless <paramref name="options"/> says otherwise.
    /// </summary>
    /// <param name="learner">The trained learner.</param>
    /// <param name="path">The file to write; a relative path is resolved against the data path, as fastai's <c>export()</c> does.</param>
    /// <param name="options">Export options; <see cref="OnnxExportOptions.ClassNames"/> defaults to <see cref="Learner.Classes"/>.</param>
    /// <returns>The full path written.</returns>
    public static string ExportOnnx(this Learner learner, string path = "export.onnx", OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        options ??= new OnnxExportOptions();
        if (options.ClassNames is null) options = options with { ClassNames = learner.Classes };
        return OnnxExporter.Export(learner.Model, Path.GetFullPath(path, learner.Data.Path), options);
    }
}
