using System.Diagnostics;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 4: resident memory after each of several training epochs. A tensor leak shows as growth from epoch to epoch;
/// the first epoch is the baseline because it allocates the optimiser state and libtorch's caches.
/// </summary>
internal static class MemoryBenchmark
{
    private const string Help = """
        memory: resident memory (RSS) after each epoch of training; it must stay flat.
          --arch A        architecture (default resnet18-mlnet)
          --size N        image size (default 64), --batch N (default 32), --batches N per epoch (default 8)
          --epochs N      epochs (default 6)
          --tolerance MiB allowed growth from the end of epoch 1 to the end of the last (default 64)
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        var arch = Architectures.Get(args.GetString("arch", "resnet18-mlnet"));
        int size = args.GetInt("size", 64), batch = args.GetInt("batch", 32), batches = args.GetInt("batches", 8), epochs = args.GetInt("epochs", 6);
        double tolerance = args.GetDouble("tolerance", 64);

        Console.WriteLine($"Memory: {arch.Name}, {size}x{size}, batch {batch}, {batches} batches per epoch, {epochs} epochs, unfrozen, on tensors.");
        var table = new ResultTable("epoch", "RSS MiB", "change since epoch 1 MiB", "managed heap MiB", "seconds", "load");
        var rss = new List<double>();
        torch.manual_seed(42);
        using var model = VisionModel.Create(arch, 10, pretrained: false);
        using var trainer = new ComputeTrainer(model, frozen: false, epochs * batches);
        using var data = NewDisposeScope();
        var x = rand([batches, batch, 3, size, size]);
        var y = randint(0, 10, [batches, batch], dtype: ScalarType.Int64);
        for (int e = 1; e <= epochs; e++)
        {
            var sw = Stopwatch.StartNew();
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                trainer.Step(x[b], y[b]);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            var mib = self.WorkingSet64 / 1024.0 / 1024.0;
            rss.Add(mib);
            table.Print(e, mib, mib - rss[0], GC.GetTotalMemory(false) / 1024.0 / 1024.0, sw.Elapsed.TotalSeconds, LoadAverage.Read().ToString());
        }
        var growth = rss[^1] - rss[0];
        bool flat = growth <= tolerance;
        Console.WriteLine($"RSS growth from epoch 1 to epoch {epochs}: {growth:0.0} MiB ({(flat ? "flat" : "GROWING")}, tolerance {tolerance:0} MiB).");
        return flat ? 0 : 1;
    }
}
