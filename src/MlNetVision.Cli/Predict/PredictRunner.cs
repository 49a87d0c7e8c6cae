using System.Globalization;
using System.Text.Json;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Cli.Scoring;
using MlNetVision.Data;

namespace MlNetVision.Cli.Predict;

/// <summary>Runs <c>predict</c>: scores an image or every image under a folder with the model.zip through stock ML.NET.</summary>
public static class PredictRunner
{
    /// <summary>Predicts; returns the exit code.</summary>
    public static ExitCode Run(PredictSettings settings, CliOutput output, CancellationToken cancellation)
    {
        var modelPath = ModelFile.RequireExisting(settings.Model);
        var inputPath = Path.GetFullPath(settings.Input);
        List<string> candidates;
        if (Directory.Exists(inputPath))
        {
            candidates = ImageFolders.ImageFiles(inputPath);
            if (candidates.Count == 0) throw CliException.BadData($"No image file ({string.Join(", ", ImageDataBunch.ImageExtensions)}) under '{settings.Input}'.");
        }
        else if (File.Exists(inputPath))
        {
            candidates = [inputPath];
        }
        else
        {
            throw CliException.NotFound($"Input not found: '{settings.Input}' does not exist (expected an image file or a folder of images).");
        }
        using var model = ScoringModel.Load(modelPath);
        var checkpoint = settings.HeatMap is null ? null : PredictHeatMaps.RequireCheckpoint(modelPath, model.Classes);

        var readable = new List<string>();
        var unreadable = new List<string>();
        foreach (var path in candidates)
        {
            if (ImageProbe.Problem(path) is { } problem) unreadable.Add($"{path}: {problem}");
            else readable.Add(path);
        }
        if (candidates.Count == 1 && unreadable.Count == 1)
            throw CliException.BadData($"Cannot read image {unreadable[0]}");

        var probabilities = readable.Count == 0 ? [] : model.Score(readable, cancellation);
        var k = Math.Min(settings.Top, model.Classes.Count);
        var predictions = readable.Select((path, i) => new ImagePrediction(
            DisplayPath(path, inputPath),
            probabilities[i].Select((p, c) => new ClassProbability(model.Classes[c], p)).OrderByDescending(x => x.Probability).Take(k).ToArray())).ToList();

        if (settings.Json) WriteJson(output, predictions);
        else WriteText(output, predictions, k);
        if (checkpoint is not null && readable.Count > 0)
        {
            var written = PredictHeatMaps.Write(checkpoint, readable.Select(p => (p, Directory.Exists(inputPath) ? Path.GetRelativePath(inputPath, p) : Path.GetFileName(p))).ToArray(), settings.HeatMap!, output, cancellation);
            output.Status($"Wrote {written.Count} heat map(s) to {Path.GetFullPath(settings.HeatMap!)} (from {checkpoint}).");
        }

        if (unreadable.Count > 0)
            throw CliException.BadData($"{unreadable.Count} of {candidates.Count} image(s) could not be read:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", unreadable)}");
        return ExitCode.Success;
    }

    private static string DisplayPath(string path, string input) =>
        Directory.Exists(input) ? Path.GetRelativePath(input, path) : path;

    private static void WriteText(CliOutput output, IReadOnlyList<ImagePrediction> predictions, int k)
    {
        static string P(float p) => p.ToString("0.0000", CultureInfo.InvariantCulture);
        if (k == 1)
        {
            output.Table(["image", "class", "probability"], predictions.Select(p => (IReadOnlyList<string>)[p.Image, p.Top[0].Class, P(p.Top[0].Probability)]));
            return;
        }
        output.Table(["image", .. Enumerable.Range(1, k).Select(i => $"top{i}")],
            predictions.Select(p => (IReadOnlyList<string>)[p.Image, .. p.Top.Select(t => $"{t.Class} {P(t.Probability)}")]));
    }

    private static void WriteJson(CliOutput output, IReadOnlyList<ImagePrediction> predictions)
    {
        var items = predictions.Select(p => new
        {
            image = p.Image,
            @class = p.Top[0].Class,
            probability = p.Top[0].Probability,
            top = p.Top.Select(t => new { @class = t.Class, probability = t.Probability }),
        });
        output.Out.WriteLine(JsonSerializer.Serialize(items, new JsonSerializerOptions { WriteIndented = true }));
    }

    private sealed record ClassProbability(string Class, float Probability);

    private sealed record ImagePrediction(string Image, ClassProbability[] Top);
}
