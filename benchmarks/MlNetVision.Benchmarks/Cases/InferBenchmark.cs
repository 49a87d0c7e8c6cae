using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Benchmarks.Peer;
using MlNetVision.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 2: inference. On ready-made tensors (model only): batch throughput and single-image latency of TorchSharp eval
/// and PyTorch eval. From PNG files, one image at a time as an app predicts: TorchSharp eval the way
/// <c>Learner.Predict(path)</c> does it, the exported ONNX model through ML.NET (<see cref="OnnxScoringPipeline"/>:
/// <c>Transform</c> for throughput, <c>PredictionEngine</c> for latency), and PyTorch eval (PIL decode + forward).
/// </summary>
internal static class InferBenchmark
{
    private const string Help = """
        infer: inference throughput and single-image latency.
          --arch LIST      architectures (default resnet18-mlnet)
          --shapes LIST    image size:batch size pairs (default 64:64,224:16)
          --steps N        timed batches on tensors (default 10) after --warmup N (default 2)
          --latency-runs N single-image calls on tensors timed one by one (default 30)
          --files N        PNG files predicted one by one (default 200; Fashion-MNIST test images)
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var archs = args.GetList("arch", "resnet18-mlnet").Select(Architectures.Get).ToArray();
        var shapes = args.GetList("shapes", "64:64,224:16").Select(TrainBenchmark.ParseShape).ToArray();
        int steps = args.GetInt("steps", 10), warmup = args.GetInt("warmup", 2), runs = args.GetInt("latency-runs", 30);
        int files = args.GetInt("files", 200);
        bool peer = !args.Has("no-peer") && TrainBenchmark.PeerCheck();
        var folder = Path.Combine(FashionMnistSubset.Ensure(1, (files + 9) / 10), "valid");
        var paths = Directory.GetDirectories(folder).OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*.png").OrderBy(f => f, StringComparer.Ordinal)).ToArray();

        Console.WriteLine("Inference: images/s (higher is better) and latency of one image in ms, median / p90 (lower is better).");
        Console.WriteLine($"Files: {paths.Length} Fashion-MNIST test PNGs (28x28 grayscale) from {folder}, predicted one by one.");
        var table = new ResultTable("arch", "size", "input", "engine", "batch", "images/s", "latency ms (median / p90)", "images/s ratio", "latency ratio", "load");
        foreach (var arch in archs)
            foreach (var (size, batch) in shapes)
            {
                torch.manual_seed(42);
                using var model = VisionModel.Create(arch, FashionMnist.ClassNames.Count, pretrained: arch.Pretrained != PretrainedSource.None);
                model.eval();
                var l0 = LoadAverage.Read();
                var ts = TorchSharpOnTensors(model, size, batch, steps, warmup, runs);
                var tsFiles = TorchSharpOnFiles(model, paths, size);
                var l1 = LoadAverage.Read();
                var ml = MlNetOnFiles(model, paths, size);
                var l2 = LoadAverage.Read();
                PeerResult? py = null;
                if (peer)
                    py = PyTorchPeer.Run("infer", ["--arch", arch.Name, "--size", Str(size), "--bs", Str(batch), "--steps", Str(steps), "--warmup", Str(warmup),
                        "--latency-runs", Str(runs), "--threads", Str(torch.get_num_threads()), "--folder", folder]);
                var l3 = LoadAverage.Read();
                double pyRate = py?.Get("images_per_s") ?? double.NaN, pyMed = py?.Get("latency_ms_median") ?? double.NaN, pyP90 = py?.Get("latency_ms_p90") ?? double.NaN;
                double pyFiles = py?.Get("files_per_s") ?? double.NaN, pyFMed = py?.Get("file_latency_ms_median") ?? double.NaN, pyFP90 = py?.Get("file_latency_ms_p90") ?? double.NaN;
                string Lat(double m, double p) => $"{ResultTable.Format(m)} / {ResultTable.Format(p)}";
                string Load(LoadAverage a, LoadAverage b) => $"{a.One:0.00} / {b.One:0.00}";
                table.Print(arch.Name, size, "tensors", "TorchSharp eval", batch, ts.Rate, Lat(ts.Median, ts.P90), ResultTable.Ratio(ts.Rate, pyRate), ResultTable.Ratio(pyMed, ts.Median), Load(l0, l1));
                table.Print(arch.Name, size, "tensors", "PyTorch eval", batch, pyRate, Lat(pyMed, pyP90), 1.0, 1.0, Load(l2, l3));
                table.Print(arch.Name, size, "PNG files", "TorchSharp eval (Learner.Predict path)", 1, tsFiles.Rate, Lat(tsFiles.Median, tsFiles.P90), ResultTable.Ratio(tsFiles.Rate, pyFiles), ResultTable.Ratio(pyFMed, tsFiles.Median), Load(l0, l1));
                table.Print(arch.Name, size, "PNG files", "ML.NET + ONNX Runtime (exported)", 1, ml.Rate, Lat(ml.Median, ml.P90), ResultTable.Ratio(ml.Rate, pyFiles), ResultTable.Ratio(pyFMed, ml.Median), Load(l1, l2));
                table.Print(arch.Name, size, "PNG files", "PyTorch eval (PIL)", 1, pyFiles, Lat(pyFMed, pyFP90), 1.0, 1.0, Load(l2, l3));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  ML.NET / TorchSharp on files: images/s {ResultTable.Format(ResultTable.Ratio(ml.Rate, tsFiles.Rate))}, latency {ResultTable.Format(ResultTable.Ratio(tsFiles.Median, ml.Median))} (above 1: ML.NET is faster)"));
            }
        Console.WriteLine("ratios are against PyTorch on the same input: images/s ours/PyTorch, latency PyTorch/ours (above 1: ours is faster).");
        return 0;
    }

    /// <summary>TorchSharp eval under no_grad on random inputs: batch throughput, then single-image latencies.</summary>
    public static (double Rate, double Median, double P90) TorchSharpOnTensors(VisionModel model, int size, int batch, int steps, int warmup, int runs)
    {
        using var noGrad = no_grad();
        using var data = NewDisposeScope();
        var x = rand(batch, 3, size, size);
        var x1 = rand(1, 3, size, size);
        for (int i = 0; i < warmup; i++)
        {
            using var s = NewDisposeScope();
            model.forward(x);
            model.forward(x1);
        }
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            using var s = NewDisposeScope();
            model.forward(x);
        }
        var rate = steps * batch / sw.Elapsed.TotalSeconds;
        var latencies = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            using var s = NewDisposeScope();
            var t = Stopwatch.GetTimestamp();
            model.forward(x1).softmax(1).data<float>().ToArray();
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        return (rate, Percentile(latencies, 0.5), Percentile(latencies, 0.9));
    }

    /// <summary>One file at a time as <c>Learner.Predict(path)</c>: decode + resize (SkiaSharp), forward, softmax to a managed array.</summary>
    public static (double Rate, double Median, double P90) TorchSharpOnFiles(VisionModel model, IReadOnlyList<string> paths, int size)
    {
        using var noGrad = no_grad();
        float[] Predict(string path)
        {
            using var s = NewDisposeScope();
            var image = ImageLoader.LoadForInference(path, size);
            return nn.functional.softmax(model.forward(image.unsqueeze(0)), 1)[0].data<float>().ToArray();
        }
        foreach (var p in paths.Take(2)) Predict(p);
        var latencies = new double[paths.Count];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < paths.Count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            Predict(paths[i]);
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        return (paths.Count / sw.Elapsed.TotalSeconds, Percentile(latencies, 0.5), Percentile(latencies, 0.9));
    }

    /// <summary>
    /// Exports the model (single-image ONNX, batch norm folded, preprocessing inside), builds the stock ML.NET chain,
    /// then: throughput = <c>Transform</c> over all paths reading the Score column; latency = <c>PredictionEngine.Predict</c> per file.
    /// </summary>
    public static (double Rate, double Median, double P90) MlNetOnFiles(VisionModel model, IReadOnlyList<string> paths, int size)
    {
        var onnx = Path.Combine(Path.GetTempPath(), "mlnetvision-bench", $"{model.Architecture.Name}-{size}-{Environment.ProcessId}.onnx");
        try
        {
            OnnxExporter.Export(model, onnx, new OnnxExportOptions
            {
                BatchLayout = OnnxBatchLayout.SingleImage, Height = size, Width = size, ClassNames = FashionMnist.ClassNames,
            });
            var ml = new MLContext(seed: 42);
            var transformer = OnnxScoringPipeline.Create(ml, onnx, FashionMnist.ClassNames, size);
            var rows = paths.Select(p => new ImageInput { ImagePath = p }).ToArray();

            // Warm-up: ONNX Runtime builds its session and plans on the first rows.
            _ = transformer.Transform(ml.Data.LoadFromEnumerable(rows.Take(2))).GetColumn<float[]>("Score").ToArray();
            var sw = Stopwatch.StartNew();
            var scores = transformer.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
            var rate = scores.Length / sw.Elapsed.TotalSeconds;

            using var engine = ml.Model.CreatePredictionEngine<ImageInput, ImageOutput>(transformer);
            foreach (var r in rows.Take(2)) engine.Predict(r);
            var latencies = new double[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                var t = Stopwatch.GetTimestamp();
                engine.Predict(rows[i]);
                latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            return (rate, Percentile(latencies, 0.5), Percentile(latencies, 0.9));
        }
        finally
        {
            File.Delete(onnx);
        }
    }

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>ML.NET input row: a path to an image file.</summary>
    public sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>ML.NET output row: the class probabilities.</summary>
    public sealed class ImageOutput
    {
        public float[] Score { get; set; } = [];
    }
}
