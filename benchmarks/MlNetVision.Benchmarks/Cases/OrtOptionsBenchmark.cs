using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Onnx;
using TorchSharp;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 2b: ONNX Runtime session options for the exported model, the knobs under ML.NET's <c>ApplyOnnxModel</c>
/// (<c>OnnxOptions.IntraOpNumThreads</c>/<c>InterOpNumThreads</c>; ML.NET passes none by default, so ONNX Runtime's
/// own defaults apply) and the graph optimisation level (which ML.NET does not expose). Images/s of the model alone
/// on random batches of 1 and 32.
/// </summary>
internal static class OrtOptionsBenchmark
{
    private const string Help = """
        ort: ONNX Runtime session options on the exported model: images/s at batch 1 and 32.
          --arch NAME   architecture (default resnet18-mlnet)
          --size N      image side (default 224)
          --runs N      timed runs per batch size (default 20 at batch 1, N/4 at batch 32)
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var arch = Architectures.Get(args.GetString("arch", "resnet18-mlnet"));
        int size = args.GetInt("size", 224), runs = args.GetInt("runs", 20);
        torch.manual_seed(42);
        using var model = VisionModel.Create(arch, FashionMnist.ClassNames.Count, pretrained: arch.Pretrained != PretrainedSource.None);
        model.eval();
        var onnx = Path.Combine(Path.GetTempPath(), "mlnetvision-bench", $"ort-{arch.Name}-{size}-{Environment.ProcessId}.onnx");
        try
        {
            OnnxExporter.Export(model, onnx, new OnnxExportOptions { BatchLayout = OnnxBatchLayout.Dynamic, Height = size, Width = size });
            var configs = new (string Name, Func<SessionOptions> Make)[]
            {
                ("ML.NET's default (no options: ORT defaults)", () => new SessionOptions()),
                ("intra-op 2, inter-op 1", () => new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 }),
                ("intra-op 1", () => new SessionOptions { IntraOpNumThreads = 1 }),
                ("graph optimisation basic", () => new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC }),
                ("graph optimisation extended", () => new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED }),
                ("graph optimisation all", () => new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL }),
            };
            var table = new ResultTable("session options", "batch 1 images/s", "batch 32 images/s", "load");
            foreach (var (name, make) in configs)
            {
                var l0 = LoadAverage.Read();
                using var options = make();
                using var session = new InferenceSession(onnx, options);
                var input = session.InputMetadata.Keys.Single();
                double Rate(int batch, int n)
                {
                    var data = new DenseTensor<float>(new float[batch * 3 * size * size].Select((_, i) => (i % 255) / 255f).ToArray(), [batch, 3, size, size]);
                    var inputs = new[] { NamedOnnxValue.CreateFromTensor(input, data) };
                    for (int i = 0; i < 2; i++) using (session.Run(inputs)) { }
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < n; i++) using (session.Run(inputs)) { }
                    return n * batch / sw.Elapsed.TotalSeconds;
                }
                var one = Rate(1, runs);
                var many = Rate(32, Math.Max(2, runs / 4));
                table.Print(name, one, many, string.Create(CultureInfo.InvariantCulture, $"{l0.One:0.00} / {LoadAverage.Read().One:0.00}"));
            }
        }
        finally
        {
            File.Delete(onnx);
        }
        return 0;
    }
}
