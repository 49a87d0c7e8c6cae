using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Benchmarks.Peer;
using MlNetVision.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 1b: where the training step's time goes, ours against PyTorch 1.13's profiler on the same layout. TorchSharp
/// 0.107 exposes no autograd profiler, so our side times the step's phases (forward with the loss, zero grad, backward,
/// optimiser step) with a stopwatch and the forward of each leaf module type with forward hooks; what the hooks do not
/// cover is the functional part of the forward (padding, ReLU, max pool, residual add, input normalisation).
/// </summary>
internal static class ProfileBenchmark
{
    private const string Help = """
        profile: per-phase and per-operator time of one training step, ours and PyTorch's profiler, in the same run.
          --arch NAME      architecture (default resnet18-mlnet)
          --shape S:B      image size:batch size (default 224:16)
          --body LIST      frozen,unfrozen (default both)
          --steps N        profiled steps (default 4) after --warmup N (default 2)
          --layout LIST    nchw,nhwc: VisionModel.ChannelsLast off or on (default nhwc, the library's default); the
                           peer gets channels-last batches for nhwc
          --top N          PyTorch operators listed (default 12)
          --dtype X        float32 (default) or bfloat16: the whole model and batch cast to bfloat16 on our side only,
                           to see whether libtorch's bf16 kernels are faster on this CPU (no peer row)
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var arch = Architectures.Get(args.GetString("arch", "resnet18-mlnet"));
        var (size, batch) = TrainBenchmark.ParseShape(args.GetString("shape", "224:16"));
        int steps = args.GetInt("steps", 4), warmup = args.GetInt("warmup", 2), top = args.GetInt("top", 12);
        var dtype = args.GetString("dtype", "float32") switch
        {
            "float32" => ScalarType.Float32,
            "bfloat16" => ScalarType.BFloat16,
            var other => throw new BenchmarkArgumentException($"--dtype expects float32 or bfloat16, got '{other}'."),
        };
        bool peer = dtype == ScalarType.Float32 && !args.Has("no-peer") && TrainBenchmark.PeerCheck();
        foreach (var layout in args.GetList("layout", "nhwc"))
            foreach (var body in args.GetList("body", "frozen,unfrozen"))
            {
                bool frozen = body == "frozen";
                bool channelsLast = layout switch
                {
                    "nchw" => false,
                    "nhwc" => true,
                    _ => throw new BenchmarkArgumentException($"--layout expects nchw or nhwc, got '{layout}'."),
                };
                var ours = Ours(arch, size, batch, frozen, steps, warmup, channelsLast, dtype);
                Console.WriteLine($"{arch.Name} {size}/{batch} {body} {layout} {dtype}, ms per step (median of {steps}; load {LoadAverage.Read().One:0.00}):");
                Console.WriteLine($"  ours: {ours}");
                if (arch.Padding == PaddingStyle.CntkAsymmetric)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  the explicit SAME_LOWER pads the body copied before this change (F.pad, forward + backward): {PadCost(size, batch, channelsLast, steps):0.0} ms per step"));
                if (!peer) continue;
                var r = PyTorchPeer.Run("train", ["--arch", arch.Name, "--size", Str(size), "--bs", Str(batch), "--warmup", Str(warmup), "--mode", "profile",
                    "--steps", Str(steps), "--threads", Str(torch.get_num_threads()), "--top", Str(top), .. (frozen ? new[] { "--frozen" } : []),
                    .. (channelsLast ? new[] { "--channels-last" } : [])]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  PyTorch: step {r.Get("step_ms"):0} ms = forward+loss {r.Get("forward_ms"):0}, zero grad {r.Get("zero_grad_ms"):0}, backward {r.Get("backward_ms"):0}, optimiser {r.Get("optimizer_ms"):0}"));
                Console.WriteLine("  PyTorch profiler (torch.autograd.profiler, self CPU time per step, top operators):");
                if (r.Root.TryGetProperty("ops", out var ops))
                    foreach (var op in ops.EnumerateArray())
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    {op.GetProperty("name").GetString(),-44} {op.GetProperty("self_ms").GetDouble(),8:0.0} ms  {op.GetProperty("calls").GetDouble(),5:0} calls"));
            }
        return 0;
    }

    /// <summary>Our step's phases, median per step, plus the forward time of each leaf module type.</summary>
    private sealed record Phases(double Step, double Forward, double ZeroGrad, double Backward, double Optimizer, IReadOnlyDictionary<string, double> ModuleForward)
    {
        public override string ToString()
        {
            var modules = string.Join(", ", ModuleForward.OrderByDescending(kv => kv.Value).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0}")));
            var hooked = ModuleForward.Values.Sum();
            return string.Create(CultureInfo.InvariantCulture,
                $"step {Step:0} ms = forward+loss {Forward:0}, zero grad {ZeroGrad:0}, backward {Backward:0}, optimiser {Optimizer:0}; forward by module: {modules}, functional (pad, ReLU, pool, add, normalise, loss) {Forward - hooked:0}");
        }
    }

    private static Phases Ours(ResNetArchitecture arch, int size, int batch, bool frozen, int steps, int warmup, bool channelsLast, ScalarType dtype, int classes = 10)
    {
        torch.manual_seed(42);
        using var model = VisionModel.Create(arch, classes, pretrained: false);
        if (dtype != ScalarType.Float32) model.to(dtype);
        model.ChannelsLast = channelsLast; // the model lays the batch out itself; the cost is in its forward
        using var trainer = new ComputeTrainer(model, frozen, warmup + steps);
        var moduleTimes = new Dictionary<string, double>();
        var starts = new Dictionary<nn.Module, long>(ReferenceEqualityComparer.Instance);
        bool recording = false;
        foreach (var (_, m) in model.named_modules())
        {
            if (m.children().Any() || m is not nn.Module<Tensor, Tensor> leaf) continue;
            var type = m.GetType().Name;
            leaf.register_forward_pre_hook((mod, x) => { starts[mod] = Stopwatch.GetTimestamp(); return x; });
            leaf.register_forward_hook((mod, x, y) =>
            {
                if (recording) moduleTimes[type] = moduleTimes.GetValueOrDefault(type) + Stopwatch.GetElapsedTime(starts[mod]).TotalMilliseconds;
                return y;
            });
        }
        using var data = NewDisposeScope();
        var xs = Enumerable.Range(0, warmup + steps).Select(_ => rand(batch, 3, size, size).to(dtype)).ToArray();
        var ys = Enumerable.Range(0, warmup + steps).Select(_ => randint(0, classes, [batch], dtype: ScalarType.Int64)).ToArray();
        var phases = new List<double[]>();
        for (int i = 0; i < warmup + steps; i++)
        {
            recording = i >= warmup;
            var t = trainer.TimedStep(xs[i], ys[i]);
            if (recording) phases.Add(t);
        }
        double Median(int k) { var v = phases.Select(p => p[k]).Order().ToArray(); return v[v.Length / 2]; }
        return new Phases(Median(0) + Median(1) + Median(2) + Median(3), Median(0), Median(1), Median(2), Median(3),
            moduleTimes.ToDictionary(kv => kv.Key, kv => kv.Value / steps));
    }

    /// <summary>
    /// What the body's explicit CNTK pads cost per step (forward copy plus the backward slice of the gradient): the
    /// stem's input (3,2,3,2), the max pool's (1,0,1,0) and the first block input of layers 2, 3 and 4 (1,0,1,0).
    /// </summary>
    private static double PadCost(int size, int batch, bool channelsLast, int steps)
    {
        using var scope = NewDisposeScope();
        long[][] shapes = [[batch, 3, size, size], [batch, 64, size / 2, size / 2], [batch, 64, size / 4, size / 4], [batch, 128, size / 8, size / 8], [batch, 256, size / 16, size / 16]];
        var inputs = shapes.Select(s =>
        {
            var x = rand(s);
            return (channelsLast ? VisionModel.ToChannelsLast(x) : x).requires_grad_(true);
        }).ToArray();
        var times = new List<double>();
        for (int i = 0; i < steps + 1; i++)
        {
            using var step = NewDisposeScope();
            var t0 = Stopwatch.GetTimestamp();
            for (int k = 0; k < inputs.Length; k++)
            {
                long[] pad = k == 0 ? [3, 2, 3, 2] : [1, 0, 1, 0];
                var y = nn.functional.pad(inputs[k], pad);
                y.sum().backward();
            }
            if (i > 0) times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            foreach (var x in inputs) { x.grad?.Dispose(); x.grad = null; }
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
