using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Benchmarks.Peer;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 1: training throughput in images/s, ours and PyTorch's, for each architecture, (image size, batch size), and
/// frozen/unfrozen body; on ready-made tensors (pure compute) and end to end (decode PNG files, augment, step).
/// </summary>
internal static class TrainBenchmark
{
    private const string Help = """
        train: training throughput, ours and PyTorch, in the same run.
          --arch LIST      architectures (default resnet18-mlnet,resnet34)
          --shapes LIST    image size:batch size pairs (default 64:64,224:16)
          --body LIST      frozen,unfrozen (default both)
          --mode LIST      tensors,e2e (default both)
          --steps N        timed steps on tensors (default 8), after --warmup N untimed ones (default 2)
          --epochs N       end-to-end epochs over the folder (default 2)
          --batches N      end-to-end batches per epoch (default 8) when the folder is made here
          --folder DIR     end-to-end data: a folder of class folders of images (default: batches*batch
                           Fashion-MNIST training images as PNG files, balanced over the classes)
          --prefetch X     auto (the library's default: off for cached images), on or off
          --layout X       nhwc (VisionModel.ChannelsLast, the library's default) or nchw
          --precision X    fp32 (the library's default), bf16 or fp16: our side trains in MixedPrecision's
                           half copy with fp32 masters (tensors and e2e); the PyTorch peer stays fp32
          --repeat N       measure every row N times, ours and the peer alternating (default 1); the row then
                           prints medians: of each rate, and of the N ratios, each taken within one round
        Columns: "ours loop" is the training loop alone (images / (waiting for batches + steps)): the e2e epoch
        without FromFolder, validation and the fit's start, against the same steps on ready-made tensors.
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var archs = args.GetList("arch", "resnet18-mlnet,resnet34").Select(Architectures.Get).ToArray();
        var shapes = args.GetList("shapes", "64:64,224:16").Select(ParseShape).ToArray();
        var bodies = args.GetList("body", "frozen,unfrozen");
        var modes = args.GetList("mode", "tensors,e2e");
        int steps = args.GetInt("steps", 8), warmup = args.GetInt("warmup", 2);
        bool peer = !args.Has("no-peer") && PeerCheck();
        ChannelsLast = args.GetString("layout", "nhwc") switch
        {
            "nhwc" => true,
            "nchw" => false,
            var other => throw new BenchmarkArgumentException($"--layout expects nhwc or nchw, got '{other}'."),
        };
        Precision = args.GetString("precision", "fp32") switch
        {
            "fp32" => null,
            "bf16" => ScalarType.BFloat16,
            "fp16" => ScalarType.Float16,
            var other => throw new BenchmarkArgumentException($"--precision expects fp32, bf16 or fp16, got '{other}'."),
        };
        if (Precision is { } half) Console.WriteLine($"precision: ours MixedPrecision {half} (half copy, fp32 masters); the PyTorch peer fp32");

        int repeat = Math.Max(1, args.GetInt("repeat", 1));

        Console.WriteLine("Training throughput, images/s (higher is better); ratio = ours / PyTorch; load = 1-minute load average before / after the row" +
                          (repeat > 1 ? $"; every cell is the median of {repeat} rounds, a ratio the median of the {repeat} ratios measured within one round." : "."));
        var table = new ResultTable("arch", "size", "batch", "body", "ours tensors", "PyTorch tensors", "ratio",
            "ours e2e", "PyTorch e2e", "ratio", "ours e2e / ours tensors", "ours loop / ours tensors", "load");
        foreach (var arch in archs)
            foreach (var (size, batch) in shapes)
                foreach (var body in bodies)
                {
                    bool frozen = body == "frozen";
                    var before = LoadAverage.Read();
                    var rounds = new List<Round>();
                    for (int r = 0; r < repeat; r++)
                    {
                        double oursT = double.NaN, peerT = double.NaN, peerE = double.NaN;
                        EndToEndResult? oursE = null;
                        if (modes.Contains("tensors"))
                        {
                            oursT = OursOnTensors(arch, size, batch, frozen, steps, warmup);
                            if (peer) peerT = PyTorchPeer.Run("train", PeerArgs(arch, size, batch, frozen, warmup, "tensors", "--steps", Str(steps))).Get("images_per_s");
                        }
                        if (modes.Contains("e2e")) (oursE, peerE) = EndToEnd(args, arch, size, batch, frozen, warmup, peer);
                        var round = new Round(oursT, peerT, oursE?.ImagesPerSecond ?? double.NaN, peerE, oursE?.LoopImagesPerSecond ?? double.NaN);
                        if (repeat > 1) Console.WriteLine($"  round {r + 1}/{repeat}: {round}");
                        rounds.Add(round);
                    }
                    var after = LoadAverage.Read();
                    table.Print(arch.Name, size, batch, body,
                        Median(rounds, x => x.OursTensors), Median(rounds, x => x.PeerTensors), Median(rounds, x => ResultTable.Ratio(x.OursTensors, x.PeerTensors)),
                        Median(rounds, x => x.OursE2e), Median(rounds, x => x.PeerE2e), Median(rounds, x => ResultTable.Ratio(x.OursE2e, x.PeerE2e)),
                        Median(rounds, x => ResultTable.Ratio(x.OursE2e, x.OursTensors)), Median(rounds, x => ResultTable.Ratio(x.OursLoop, x.OursTensors)),
                        $"{before.One:0.00} / {after.One:0.00}");
                }
        return 0;
    }

    /// <summary>One round of a row: the four rates and our training loop's rate.</summary>
    private sealed record Round(double OursTensors, double PeerTensors, double OursE2e, double PeerE2e, double OursLoop)
    {
        public override string ToString() =>
            $"ours tensors {ResultTable.Format(OursTensors)}, PyTorch tensors {ResultTable.Format(PeerTensors)}, ours e2e {ResultTable.Format(OursE2e)}, " +
            $"PyTorch e2e {ResultTable.Format(PeerE2e)}, ours loop {ResultTable.Format(OursLoop)}";
    }

    /// <summary>The median of the values that were measured (NaN when none was).</summary>
    private static double Median(IEnumerable<Round> rounds, Func<Round, double> value)
    {
        var v = rounds.Select(value).Where(x => !double.IsNaN(x)).Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>The layout our models run in (<see cref="VisionModel.ChannelsLast"/>), from <c>--layout</c>.</summary>
    public static bool ChannelsLast { get; set; } = VisionModel.DefaultChannelsLast;

    /// <summary>The half type our side trains in (<see cref="MlNetVision.Training.Callbacks.MixedPrecision"/>), from <c>--precision</c>; <see langword="null"/> is fp32.</summary>
    public static ScalarType? Precision { get; set; }

    /// <summary>
    /// Pure compute, no data pipeline: a fresh random batch for every timed step, made before the clock starts (one
    /// batch repeated lets the network fit it, and steps on a collapsed loss are not the steps of a real fit).
    /// </summary>
    public static double OursOnTensors(ResNetArchitecture arch, int size, int batch, bool frozen, int steps, int warmup, int classes = 10)
    {
        torch.manual_seed(42);
        using var model = VisionModel.Create(arch, classes, pretrained: false);
        model.ChannelsLast = ChannelsLast;
        using (var warm = new ComputeTrainer(model, frozen, warmup + 1, Precision))
        using (var scope = NewDisposeScope())
        {
            var wx = rand(batch, 3, size, size);
            var wy = randint(0, classes, [batch], dtype: ScalarType.Int64);
            for (int i = 0; i < warmup; i++) warm.Step(wx, wy);
        }
        using var trainer = new ComputeTrainer(model, frozen, steps, Precision);
        using var data = NewDisposeScope();
        var xs = Enumerable.Range(0, steps).Select(_ => rand(batch, 3, size, size)).ToArray();
        var ys = Enumerable.Range(0, steps).Select(_ => randint(0, classes, [batch], dtype: ScalarType.Int64)).ToArray();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) trainer.Step(xs[i], ys[i]);
        return steps * batch / sw.Elapsed.TotalSeconds;
    }

    private static (EndToEndResult Ours, double Peer) EndToEnd(BenchmarkArguments args, ResNetArchitecture arch, int size, int batch, bool frozen, int warmup, bool peer)
    {
        int epochs = args.GetInt("epochs", 2), batches = args.GetInt("batches", 8);
        var root = args.GetOptional("folder") ?? FashionMnistSubset.Ensure((batches * batch + 9) / 10, 1);
        bool? prefetch = args.GetString("prefetch", "auto") switch
        {
            "auto" => null,
            "on" => true,
            "off" => false,
            var other => throw new BenchmarkArgumentException($"--prefetch expects auto, on or off, got '{other}'."),
        };
        var ours = OursEndToEnd(root, arch, size, batch, frozen, warmup, epochs, prefetch);
        Console.WriteLine($"  ours e2e {arch.Name} {size}/{batch} {(frozen ? "frozen" : "unfrozen")}: {ours}");
        double theirs = double.NaN;
        if (peer)
        {
            var r = PyTorchPeer.Run("train", PeerArgs(arch, size, batch, frozen, warmup, "e2e", "--folder", root, "--epochs", Str(epochs)));
            theirs = r.Get("images_per_s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  PyTorch e2e: {r.Get("images")} images in {r.Get("seconds"):0.00} s ({r.Get("images_per_s"):0.0}/s): decode {r.Get("decode_s"):0.00} s, augment {r.Get("augment_s"):0.00} s, steps {r.Get("step_s"):0.00} s, validation {r.Get("validate_s"):0.00} s"));
        }
        return (ours, theirs);
    }

    /// <summary>Where the end-to-end time of our side goes.</summary>
    public sealed record EndToEndResult(int Images, double Seconds, double BuildSeconds, double WaitSeconds, double StepSeconds, double ValidateSeconds)
    {
        public double ImagesPerSecond => Images / Seconds;

        /// <summary>The training loop alone: images over the time spent waiting for batches and stepping.</summary>
        public double LoopImagesPerSecond => Images / (WaitSeconds + StepSeconds);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Images} images in {Seconds:0.00} s ({ImagesPerSecond:0.0}/s): decode+cache (FromFolder) {BuildSeconds:0.00} s, " +
            $"waiting for batches {WaitSeconds:0.00} s, steps {StepSeconds:0.00} s, validation {ValidateSeconds:0.00} s");
    }

    /// <summary>
    /// End to end on our side, as a user runs it: <see cref="ImageDataBunch.FromFolder"/> (parallel decode and resize
    /// into the uint8 cache), <see cref="VisionLearner.Create"/>, then <see cref="Learner.FitOneCycle"/> for
    /// <paramref name="epochs"/> epochs (shuffle, crop, batched augmentation; the library's default prefetch, which is
    /// off for cached images unless <paramref name="prefetch"/> says otherwise; validation after each epoch). The clock runs from the first file read to the end of the fit; the
    /// model is warmed up on tensors first, as on the PyTorch side.
    /// </summary>
    public static EndToEndResult OursEndToEnd(string root, ResNetArchitecture arch, int size, int batch, bool frozen, int warmup, int epochs, bool? prefetch = null)
    {
        var total = Stopwatch.StartNew();
        using var data = ImageDataBunch.FromFolder(root, new ImageDataBunchOptions { Size = size, BatchSize = batch, Log = TextWriter.Null, Prefetch = prefetch });
        var build = total.Elapsed.TotalSeconds;
        var sinceBuild = Stopwatch.StartNew();
        using var learner = VisionLearner.Create(data, arch, new LearnerOptions { Pretrained = false, ProgressWriter = null, Seed = 42 });
        learner.Model.ChannelsLast = ChannelsLast;
        if (Precision == ScalarType.BFloat16) learner.ToBf16();
        else if (Precision == ScalarType.Float16) learner.ToFp16();
        if (frozen) learner.Freeze();
        using (var scope = NewDisposeScope())
        using (var warm = new ComputeTrainer(learner.Model, frozen, warmup + 1, Precision))
        {
            var wx = rand(batch, 3, size, size);
            var wy = randint(0, data.C, [batch], dtype: ScalarType.Int64);
            for (int i = 0; i < warmup; i++) warm.Step(wx, wy);
        }
        var warmupSeconds = sinceBuild.Elapsed.TotalSeconds;
        var timing = new StepTiming();
        learner.FitOneCycle(epochs, callbacks: [timing]);
        var seconds = total.Elapsed.TotalSeconds - warmupSeconds;
        return new EndToEndResult(timing.Images, seconds, build, timing.WaitSeconds, timing.StepSeconds, timing.ValidateSeconds);
    }

    /// <summary>Splits a fit's time into waiting for the next batch, the step itself, and validation.</summary>
    private sealed class StepTiming : LearnerCallback
    {
        private long _mark;

        public int Images { get; private set; }
        public double WaitSeconds { get; private set; }
        public double StepSeconds { get; private set; }
        public double ValidateSeconds { get; private set; }

        public override int Order => -100;

        public override void BeforeEpoch(Learner learner) => _mark = Stopwatch.GetTimestamp();

        public override void BeforeBatch(Learner learner)
        {
            if (!learner.State.Training) return; // validation batches are timed as a whole
            WaitSeconds += Stopwatch.GetElapsedTime(_mark).TotalSeconds;
            _mark = Stopwatch.GetTimestamp();
        }

        public override void AfterBatch(Learner learner)
        {
            if (!learner.State.Training) return;
            StepSeconds += Stopwatch.GetElapsedTime(_mark).TotalSeconds;
            Images += learner.Data.BatchSize;
            _mark = Stopwatch.GetTimestamp();
        }

        public override void BeforeValidate(Learner learner) => _mark = Stopwatch.GetTimestamp();

        public override void AfterEpoch(Learner learner) => ValidateSeconds += Stopwatch.GetElapsedTime(_mark).TotalSeconds;
    }

    private static IEnumerable<string> PeerArgs(ResNetArchitecture arch, int size, int batch, bool frozen, int warmup, string mode, params string[] extra)
    {
        var a = new List<string> { "--arch", arch.Name, "--size", Str(size), "--bs", Str(batch), "--warmup", Str(warmup), "--mode", mode,
            "--threads", Str(torch.get_num_threads()) };
        if (frozen) a.Add("--frozen");
        a.AddRange(extra);
        return a;
    }

    public static bool PeerCheck()
    {
        if (PyTorchPeer.IsAvailable(out var reason)) { Console.WriteLine($"peer: PyTorch {reason} ({PyTorchPeer.Python})"); return true; }
        Console.WriteLine($"peer: skipped, {reason}");
        return false;
    }

    public static (int Size, int Batch) ParseShape(string s)
    {
        var parts = s.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var size) || !int.TryParse(parts[1], out var batch))
            throw new BenchmarkArgumentException($"--shapes expects size:batch pairs such as 64:64, got '{s}'.");
        return (size, batch);
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
