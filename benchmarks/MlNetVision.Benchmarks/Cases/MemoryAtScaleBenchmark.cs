using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 4b: resident memory through the lesson recipe at real scale (FromFolder → VisionLearner.Create → one frozen
/// FitOneCycle → GetPreds → Unfreeze → LrFind → unfrozen FitOneCycle), with peak RSS (<c>VmHWM</c>), RSS and live
/// tensors after every stage and epoch, and the bytes the data and the model need, to compare against.
/// </summary>
internal static class MemoryAtScaleBenchmark
{
    private const string Help = """
        memory-scale: peak and per-stage resident memory of the lesson recipe on Fashion-MNIST folders.
          --arch A               architecture (default resnet18-mlnet, pretrained)
          --size N               image size (default 48), --batch N (default 64)
          --train-per-class N    Fashion-MNIST training images per class (default 6000: all 60,000)
          --valid-per-class N    validation images per class, from the test set (default 1000: all 10,000)
          --unfrozen-epochs N    epochs of the unfrozen FitOneCycle (default 2)
          --lr-find-iterations N LrFind batches (default 100)
          --max-cache-mib N      ImageDataBunchOptions.MaxCacheBytes in MiB (default: the library's 4 GiB); 0 decodes every batch
          --trim                 call GlibcHeap.Trim() (malloc_trim) after every stage and epoch
          --max-steps N          stop every fit after N training batches (no validation, no GetPreds): for 224 px on the full set
          --malloc-stats         print glibc's malloc_stats() (per arena: system bytes, bytes in use) after every stage and epoch
        The glibc heap policy (malloc_trim every 16 training steps or validation batches and at boundaries, mmap threshold
        32 MiB, trim threshold 256 MiB) is on by default; MLNETVISION_GLIBC_HEAP=off,
        a threshold in bytes, MLNETVISION_GLIBC_TRIM_STEPS=N or glibc's MALLOC_* variables compare others. Target: peak RSS at most twice the sum of what the cache, the model, its gradients, AdamW's state,
        one batch's activations and the fit's per-epoch copy of weights and AdamW state need.
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var arch = Architectures.Get(args.GetString("arch", Architectures.ResNet18MlNet.Name));
        int size = args.GetInt("size", 48), batch = args.GetInt("batch", 64);
        int trainPerClass = args.GetInt("train-per-class", 6000), validPerClass = args.GetInt("valid-per-class", 1000);
        int unfrozen = args.GetInt("unfrozen-epochs", 2), lrIterations = args.GetInt("lr-find-iterations", 100);
        bool trim = args.Has("trim");
        int? maxSteps = args.Has("max-steps") ? args.GetInt("max-steps", 0) : null;
        MallocStats = args.Has("malloc-stats");
        var options = new ImageDataBunchOptions { Size = size, BatchSize = batch, Log = Console.Out };
        if (args.Has("max-cache-mib")) options.MaxCacheBytes = (long)args.GetInt("max-cache-mib", 4096) << 20;

        var stages = new ResultTable("stage", "seconds", "ms/step", "RSS MiB", "peak RSS MiB", "live tensors", "error rate", "load");
        var total = Stopwatch.StartNew();
        var root = FashionMnistSubset.Ensure(trainPerClass, validPerClass);
        var watch = Stopwatch.StartNew();
        using var data = ImageDataBunch.FromFolder(root, options);
        var policy = GlibcHeap.Applied;
        Console.WriteLine($"Memory at scale: {arch.Name}, {size}x{size}, batch {batch}, {data.Train.Count:N0} train / {data.Valid.Count:N0} valid images " +
                          $"(cached: {data.Train.IsCached}), recipe: FitOneCycle(1) frozen, GetPreds, Unfreeze, LrFind({lrIterations}), FitOneCycle({unfrozen}) unfrozen.");
        Console.WriteLine(policy is { Applied: true }
            ? $"glibc heap policy: applied (malloc_trim every {policy.TrimEverySteps} steps and at boundaries{(policy.MmapThresholdBytes is { } t ? $", mmap threshold {t:N0} bytes" : "")}{(policy.TrimThresholdBytes is { } tt ? $", trim threshold {tt:N0} bytes" : "")}){(trim ? ", malloc_trim after every stage and epoch" : "")}."
            : $"glibc heap policy: not applied ({policy?.SkippedBecause ?? "not run"}){(trim ? ", malloc_trim after every stage and epoch" : "")}.");
        stages.Print("data", watch.Elapsed.TotalSeconds, "", Rss(), PeakRss(), torch.Tensor.TotalCount, "", LoadAverage.Read().ToString());

        using var learner = VisionLearner.Create(data, arch, new LearnerOptions { Pretrained = arch.Pretrained != PretrainedSource.None, ProgressWriter = null, Seed = 42 });
        var probe = new EpochProbe(trim);
        int trainSteps = Math.Min(maxSteps ?? int.MaxValue, data.Train.Count / batch);
        LearnerCallback[] Callbacks() => maxSteps is { } cap ? [probe, new StepCap(cap)] : [probe];
        if (maxSteps is { } capped) Console.WriteLine($"Step cap: every fit stops after {capped} training batches, without validation; GetPreds is skipped.");
        string LastError() => learner.State.LastEpoch is { } last && last.Metrics.Count > 0 ? Fmt(last["error_rate"]) : "";

        void Stage(string name, Action action, int steps, Func<string>? error = null)
        {
            watch.Restart();
            action();
            var seconds = watch.Elapsed.TotalSeconds;
            if (trim) GlibcHeap.Trim();
            PrintMallocStats(name);
            stages.Print(name, seconds, steps > 0 ? (seconds * 1000 / steps).ToString("0.0", CultureInfo.InvariantCulture) : "", Rss(), PeakRss(),
                torch.Tensor.TotalCount, error?.Invoke() ?? "", LoadAverage.Read().ToString());
        }

        Stage("create", () => { }, 0);
        Stage("fit_one_cycle(1), frozen", () => learner.FitOneCycle(1, callbacks: Callbacks()), trainSteps, LastError);
        Predictions? preds = null;
        if (maxSteps is null) Stage("get_preds", () => preds = learner.GetPreds(), 0, () => Fmt(preds!.ErrorRate));
        learner.Unfreeze();
        Stage($"lr_find({lrIterations})", () => learner.LrFind(numIt: lrIterations), lrIterations);
        Stage($"fit_one_cycle({unfrozen}), unfrozen", () => learner.FitOneCycle(unfrozen, LearningRate.Slice(1e-6, 1e-4), callbacks: Callbacks()),
            maxSteps is null ? trainSteps * unfrozen : trainSteps, LastError);

        var need = Needs(learner, data, size, batch);
        var sum = need.Sum(n => n.Bytes);
        foreach (var (what, bytes) in need) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"needs: {what}: {bytes / 1048576.0:N1} MiB"));
        var peak = PeakRss();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"needs: total {sum / 1048576.0:N1} MiB; peak RSS {peak:N0} MiB = {peak * 1048576.0 / sum:0.00}x the total (target <= 2x and <= 2048 MiB: {(peak * 1048576.0 <= 2 * sum && peak <= 2048 ? "met" : "NOT met")})."));
        PrintGrowth(probe, firstEpoch: 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Total wall time {total.Elapsed.TotalMinutes:0.0} min."));
        return 0;
    }

    /// <summary>What the recipe needs to hold: the image cache, the weights and buffers, their gradients, AdamW's two moments, one batch's activations, and the fit's divergence guard.</summary>
    internal static List<(string What, long Bytes)> Needs(Learner learner, ImageDataBunch data, int size, int batch)
    {
        long cache = data.Train.IsCached ? 3L * size * size * (data.Train.Count + data.Valid.Count) : 0;
        long parameters = learner.Model.parameters().Sum(p => p.NumberOfElements * p.ElementSize);
        long buffers = learner.Model.buffers().Sum(b => b.NumberOfElements * b.ElementSize);
        // What a train-mode forward of one batch keeps for the backward pass: glibc's bytes in use (heap and mapped
        // blocks, mallinfo2) while its output, and so its autograd graph, is alive, minus before.
        learner.Model.train();
        long activations;
        using (var scope = torch.NewDisposeScope())
        {
            var input = torch.rand(batch, 3, size, size);
            var before = MallInfo2();
            var output = learner.Model.forward(input);
            var after = MallInfo2();
            activations = (long)(after.HBlkHd + after.UordBlks) - (long)(before.HBlkHd + before.UordBlks);
            GC.KeepAlive(output);
        }
        learner.Model.eval();
        return
        [
            ($"uint8 image cache ({data.Train.Count + data.Valid.Count:N0} images of 3x{size}x{size})", cache),
            ("model weights and buffers", parameters + buffers),
            ("gradients (unfrozen)", parameters),
            ("AdamW state (two moments, unfrozen)", 2 * parameters),
            ($"activations of one batch of {batch} (what a train-mode forward keeps for backward)", activations),
            // Learner.Fit copies the weights and AdamW's state at the start of every epoch, to restore them if the loss diverges.
            ("the fit's per-epoch copy of the weights and AdamW state", parameters + buffers + 2 * parameters),
        ];
    }

    /// <summary>Prints how RSS at the end of the unfrozen epochs moved, before and after the boundary trim.</summary>
    internal static void PrintGrowth(EpochProbe probe, int firstEpoch)
    {
        var (raw, trimmed) = (probe.Rss.Skip(firstEpoch).ToList(), probe.TrimmedRss.Skip(firstEpoch).ToList());
        if (raw.Count < 2) return;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS from the end of the first to the end of the last unfrozen epoch: {raw[^1] - raw[0]:+0.0;-0.0} MiB; after the boundary trim: {trimmed[^1] - trimmed[0]:+0.0;-0.0} MiB ({string.Join(", ", trimmed.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))})."));
    }

    private static bool MallocStats;

    /// <summary>With <c>--malloc-stats</c>, glibc's per-arena summary (to stderr) under a heading.</summary>
    private static void PrintMallocStats(string when)
    {
        if (!MallocStats) return;
        Console.Out.Flush();
        Console.Error.WriteLine($"malloc_stats after {when}:");
        Console.Error.Flush();
        malloc_stats();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_stats")]
    private static extern void malloc_stats();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();

    /// <summary>glibc's <c>struct mallinfo2</c>.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        public readonly nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    private static string Fmt(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Resident memory now (<c>VmRSS</c>), MiB.</summary>
    internal static double Rss() => Status("VmRSS:");

    /// <summary>Peak resident memory of the process so far (<c>VmHWM</c>), MiB.</summary>
    internal static double PeakRss() => Status("VmHWM:");

    private static double Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Stops a fit after a number of training batches (immediately: no validation).</summary>
    private sealed class StepCap(int steps) : LearnerCallback
    {
        public override void AfterBatch(Learner learner)
        {
            if (learner.State.Training && learner.State.Batch + 1 >= steps) learner.State.RequestStop($"step cap ({steps})", immediately: true);
        }
    }

    /// <summary>
    /// Prints RSS, peak RSS and live tensors after every epoch, RSS again after a <c>malloc_trim</c> (what the heap
    /// holds at the epoch boundary, comparable between epochs), and where the peak rose: before the epoch (outside the
    /// probed fits: LrFind, GetPreds), in training batches (the last rise's batch and its position in the trim cycle)
    /// or in validation batches.
    /// </summary>
    internal sealed class EpochProbe(bool trim) : LearnerCallback
    {
        private readonly ResultTable _table = new("epoch", "train loss", "error rate", "seconds", "RSS MiB", "trimmed RSS MiB", "peak RSS MiB", "peak rise: before / train / valid MiB", "last train rise at batch", "live tensors");
        private double _hwm, _beforeRise, _trainRise, _validRise;
        private int _lastRiseBatch = -1;

        /// <summary>RSS at the end of every epoch, before the boundary trim.</summary>
        public List<double> Rss { get; } = [];

        /// <summary>RSS at the end of every epoch after <c>malloc_trim</c>: what the heap still holds.</summary>
        public List<double> TrimmedRss { get; } = [];

        public override int Order => 100;

        public override void BeforeEpoch(Learner learner)
        {
            var hwm = PeakRss();
            _beforeRise = hwm - _hwm;
            (_hwm, _trainRise, _validRise, _lastRiseBatch) = (hwm, 0, 0, -1);
        }

        public override void AfterBatch(Learner learner)
        {
            var hwm = PeakRss();
            if (hwm <= _hwm) return;
            if (learner.State.Training) { _trainRise += hwm - _hwm; _lastRiseBatch = learner.State.Batch; }
            else _validRise += hwm - _hwm;
            _hwm = hwm;
        }

        public override void AfterEpoch(Learner learner)
        {
            if (trim) GlibcHeap.Trim();
            PrintMallocStats($"epoch {Rss.Count + 1}");
            var rss = MemoryAtScaleBenchmark.Rss();
            Rss.Add(rss);
            // The boundary trim the library does right after AfterEpoch, done here first so the probe can read its effect.
            if (GlibcHeap.Applied is { Applied: true }) GlibcHeap.Trim();
            var trimmed = MemoryAtScaleBenchmark.Rss();
            TrimmedRss.Add(trimmed);
            var hwm = PeakRss();
            _validRise += hwm - _hwm; // the last validation batch's rise (AfterBatch ran before its tensors were freed)
            _hwm = hwm;
            var e = learner.State.LastEpoch!;
            var every = GlibcHeap.Applied is { Applied: true, TrimEverySteps: > 0 } p ? p.TrimEverySteps : 0;
            var at = _lastRiseBatch < 0 ? "" : every > 0 ? $"{_lastRiseBatch} ({(_lastRiseBatch + 1) % every} after a trim)" : $"{_lastRiseBatch}";
            _table.Print(Rss.Count, e.TrainLoss, e.Metrics.Count > 0 ? e["error_rate"] : double.NaN, e.Duration.TotalSeconds, rss, trimmed, hwm,
                string.Create(CultureInfo.InvariantCulture, $"{_beforeRise:0} / {_trainRise:0} / {_validRise:0}"), at, torch.Tensor.TotalCount);
        }
    }
}
