using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Benchmarks.Peer;
using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 2: inference throughput (images/s over batches) and single-image latency (median and 90th percentile in ms):
/// TorchSharp eval, the exported ONNX model through ML.NET, and PyTorch eval, on the same architecture and sizes.
/// </summary>
internal static class InferBenchmark
{
    private const string Help = """
        infer: inference throughput and single-image latency.
          --arch LIST      architectures (default resnet18-mlnet)
          --shapes LIST    image size:batch size pairs (default 64:64,224:16)
          --steps N        timed batches (default 10) after --warmup N (default 2)
          --latency-runs N single-image calls timed one by one (default 30)
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var archs = args.GetList("arch", "resnet18-mlnet").Select(Architectures.Get).ToArray();
        var shapes = args.GetList("shapes", "64:64,224:16").Select(TrainBenchmark.ParseShape).ToArray();
        int steps = args.GetInt("steps", 10), warmup = args.GetInt("warmup", 2), runs = args.GetInt("latency-runs", 30);
        bool peer = !args.Has("no-peer") && TrainBenchmark.PeerCheck();

        Console.WriteLine("Inference: throughput in images/s over batches (higher is better), latency of one image in ms (median / p90, lower is better).");
        var table = new ResultTable("arch", "size", "batch", "engine", "images/s", "latency ms (median / p90)", "throughput ratio vs PyTorch", "latency ratio vs PyTorch", "load");
        foreach (var arch in archs)
            foreach (var (size, batch) in shapes)
            {
                var before = LoadAverage.Read();
                var ours = TorchSharpEval(arch, size, batch, steps, warmup, runs);
                var loadOurs = LoadAverage.Read();
                (double Rate, double Median, double P90) theirs = (double.NaN, double.NaN, double.NaN);
                if (peer)
                {
                    var r = PyTorchPeer.Run("infer", ["--arch", arch.Name, "--size", Str(size), "--bs", Str(batch), "--steps", Str(steps),
                        "--warmup", Str(warmup), "--latency-runs", Str(runs), "--threads", Str(torch.get_num_threads())]);
                    theirs = (r.Get("images_per_s"), r.Get("latency_ms_median"), r.Get("latency_ms_p90"));
                }
                var after = LoadAverage.Read();
                table.Print(arch.Name, size, batch, "TorchSharp eval", ours.Rate, $"{ResultTable.Format(ours.Median)} / {ResultTable.Format(ours.P90)}",
                    ResultTable.Ratio(ours.Rate, theirs.Rate), ResultTable.Ratio(theirs.Median, ours.Median), $"{before.One:0.00} / {loadOurs.One:0.00}");
                table.Print(arch.Name, size, batch, "PyTorch eval", theirs.Rate, $"{ResultTable.Format(theirs.Median)} / {ResultTable.Format(theirs.P90)}",
                    1.0, 1.0, $"{loadOurs.One:0.00} / {after.One:0.00}");
            }
        Console.WriteLine("latency ratio = PyTorch latency / ours (above 1: ours is faster).");
        return 0;
    }

    /// <summary>TorchSharp eval under no_grad on random inputs: batch throughput, then single-image latencies.</summary>
    public static (double Rate, double Median, double P90) TorchSharpEval(ResNetArchitecture arch, int size, int batch, int steps, int warmup, int runs)
    {
        torch.manual_seed(42);
        using var model = VisionModel.Create(arch, 10, pretrained: false);
        model.eval();
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

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
