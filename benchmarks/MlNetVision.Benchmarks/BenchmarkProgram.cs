using MlNetVision.Benchmarks.Cases;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Native;
using TorchSharp;

namespace MlNetVision.Benchmarks;

/// <summary>The command line: the first argument names the case, the rest are its options.</summary>
internal static class BenchmarkProgram
{
    private const string Usage = """
        MlNetVision benchmarks, side by side with PyTorch (docs/BENCHMARKS.md).

        usage: MlNetVision.Benchmarks <case> [--option value ...]

        cases:
          train     training throughput (images/s), ours and PyTorch, on ready-made tensors and end to end
          profile   where the training step's time goes: phases and operators, ours and PyTorch's profiler
          infer     inference throughput and single-image latency: TorchSharp eval, ONNX through ML.NET, PyTorch eval
          ort       ONNX Runtime session options (threads, graph optimisation) on the exported model, batch 1 and 32
          accuracy  the lesson-1 recipe on the full Fashion-MNIST: test accuracy and wall time
          memory    resident memory per epoch over several epochs (must stay flat)
          memory-scale  peak and per-stage resident memory of the lesson recipe on Fashion-MNIST at scale
          loader    the data side alone: images/s of the loader at 64 and 224 px, cold and cached [images=1000]
          augment   ms per batch of 64 of each step of the batched augmentation at 64 and 224 px
          serve     the Web API sample under concurrent load on loopback: requests/s, latency, statuses, RSS, vs offline scoring
          machine   prints the machine description only

        common options:
          --threads N   intra-op threads for libtorch on both sides (default 2)
          --no-peer     skip the PyTorch peer
        Run "<case> --help" for the options of a case.
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        // The data side's cases take positional arguments and print their own header.
        if (args[0] == "loader") return LoaderBenchmark.Run(args[1..]);
        if (args[0] == "augment") return AugmentBenchmark.Run(args[1..]);
        var options = BenchmarkArguments.Parse(args.Skip(1));
        NativeBackend.EnsureLoaded();
        torch.set_num_threads(options.GetInt("threads", 2));
        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine();
        try
        {
            return args[0] switch
            {
                "train" => TrainBenchmark.Run(options),
                "profile" => ProfileBenchmark.Run(options),
                "infer" => InferBenchmark.Run(options),
                "ort" => OrtOptionsBenchmark.Run(options),
                "accuracy" => AccuracyBenchmark.Run(options),
                "memory" => MemoryBenchmark.Run(options),
                "serve" => ServeBenchmark.Run(options),
                "memory-scale" => MemoryAtScaleBenchmark.Run(options),
                "machine" => 0,
                _ => UnknownCase(args[0]),
            };
        }
        catch (BenchmarkArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static int UnknownCase(string name)
    {
        Console.Error.WriteLine($"Unknown case '{name}'.");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
