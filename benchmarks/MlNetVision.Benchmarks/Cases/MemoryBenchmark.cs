using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 4: resident memory after each epoch of a real fit (FromFolder, the training loader, Learner.FitOneCycle with
/// validation). A tensor leak shows as steady growth from epoch to epoch. The baseline is the end of epoch 2: the first
/// epochs allocate the optimiser state, the weight snapshot and libtorch's and glibc's caches, and RSS moves by a
/// hundred MiB or so either way while those settle.
/// </summary>
internal static class MemoryBenchmark
{
    private const string Help = """
        memory: resident memory (RSS) after each epoch of Learner.FitOneCycle; it must stay flat.
          --arch A             architecture (default resnet18-mlnet, pretrained)
          --size N             image size (default 64), --batch N (default 32)
          --train-per-class N  Fashion-MNIST training images per class (default 32), --test-per-class N (default 8)
          --epochs N           epochs (default 8, at least 4)
          --tolerance MiB      allowed growth from the end of epoch 2 to the end of the last, and allowed growth of
                               the least-squares line over epochs 2..N across those epochs (default 64)
          --trim               after each epoch's reading, also call glibc's malloc_trim(0) and read RSS again: memory
                               that comes back is free memory the allocator kept, not live data
        The live-tensor column is TorchSharp's count of tensor handles not yet disposed: a leak of tensors makes it grow.
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var arch = Architectures.Get(args.GetString("arch", Architectures.ResNet18MlNet.Name));
        int size = args.GetInt("size", 64), batch = args.GetInt("batch", 32), epochs = args.GetInt("epochs", 8);
        int trainPerClass = args.GetInt("train-per-class", 32), testPerClass = args.GetInt("test-per-class", 8);
        double tolerance = args.GetDouble("tolerance", 64);
        bool trim = args.Has("trim");

        var root = FashionMnistSubset.Ensure(trainPerClass, testPerClass);
        using var data = ImageDataBunch.FromFolder(root, new ImageDataBunchOptions { Size = size, BatchSize = batch, Log = TextWriter.Null });
        Console.WriteLine($"Memory: {arch.Name}, {size}x{size}, batch {batch}, {data.Train.Count} train / {data.Valid.Count} valid images, {epochs} epochs of FitOneCycle (unfrozen).");
        using var learner = VisionLearner.Create(data, arch, new LearnerOptions { Pretrained = arch.Pretrained != PretrainedSource.None, ProgressWriter = null, Seed = 42 });
        learner.Unfreeze();
        var probe = new MemoryProbe(trim);
        learner.FitOneCycle(epochs, callbacks: [probe]);

        var rss = probe.Rss;
        if (rss.Count < 4) { Console.WriteLine("memory: run at least 4 epochs."); return 2; }
        var settled = rss.Skip(1).ToArray();
        var growth = settled[^1] - settled[0];
        var slope = Slope(settled);
        var trend = slope * (settled.Length - 1);
        bool flat = growth <= tolerance && trend <= tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Live tensors at the end of epoch 2: {probe.LiveTensors[1]}; at the end of epoch {rss.Count}: {probe.LiveTensors[^1]} ({probe.LiveTensors[^1] - probe.LiveTensors[1]:+0;-0})."));
        if (trim)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS after malloc_trim from the end of epoch 2 to the end of epoch {rss.Count}: {probe.Trimmed[^1] - probe.Trimmed[1]:+0.0;-0.0} MiB."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS from the end of epoch 2 to the end of epoch {rss.Count}: {growth:+0.0;-0.0} MiB; trend {slope:+0.0;-0.0} MiB/epoch ({trend:+0.0;-0.0} MiB over those epochs): " +
            $"{(flat ? "flat" : "GROWING")} (tolerance {tolerance:0} MiB)."));
        return flat ? 0 : 1;
    }

    private static double Slope(IReadOnlyList<double> y)
    {
        double n = y.Count, mx = (n - 1) / 2, my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < y.Count; i++) { sxy += (i - mx) * (y[i] - my); sxx += (i - mx) * (i - mx); }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static double ResidentMiB()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>Reads the process's resident memory after every epoch (after a full garbage collection) and prints a row.</summary>
    private sealed class MemoryProbe(bool trim) : LearnerCallback
    {
        private readonly ResultTable _table = trim
            ? new("epoch", "RSS MiB", "change since epoch 1 MiB", "RSS after malloc_trim MiB", "live tensors", "managed heap MiB", "train loss", "error rate", "seconds", "load")
            : new("epoch", "RSS MiB", "change since epoch 1 MiB", "live tensors", "managed heap MiB", "train loss", "error rate", "seconds", "load");

        public List<double> Rss { get; } = [];

        public List<double> Trimmed { get; } = [];

        public List<long> LiveTensors { get; } = [];

        public override int Order => 100;

        public override void AfterEpoch(Learner learner)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var mib = ResidentMiB();
            Rss.Add(mib);
            var live = TorchSharp.torch.Tensor.TotalCount;
            LiveTensors.Add(live);
            var e = learner.State.LastEpoch!;
            var heap = GC.GetTotalMemory(false) / 1024.0 / 1024.0;
            if (trim)
            {
                MallocTrim(0);
                var trimmed = ResidentMiB();
                Trimmed.Add(trimmed);
                _table.Print(e.Epoch + 1, mib, mib - Rss[0], trimmed, live, heap, e.TrainLoss, e["error_rate"], e.Duration.TotalSeconds, LoadAverage.Read().ToString());
            }
            else
            {
                _table.Print(e.Epoch + 1, mib, mib - Rss[0], live, heap, e.TrainLoss, e["error_rate"], e.Duration.TotalSeconds, LoadAverage.Read().ToString());
            }
        }
    }
}
