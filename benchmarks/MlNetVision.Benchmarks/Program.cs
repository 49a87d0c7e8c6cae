using MlNetVision.Benchmarks;

// Benchmarks (not tests). The first argument names the case:
//   dotnet run -c Release --project benchmarks/MlNetVision.Benchmarks -- loader [images=1000]
//   dotnet run -c Release --project benchmarks/MlNetVision.Benchmarks -- augment
var cases = new Dictionary<string, (string Help, Func<string[], int> Run)>(StringComparer.Ordinal)
{
    ["loader"] = ("images/s of the data loader alone at 64 and 224 px, cold (decode+resize) and cached; args: [images=1000]", LoaderBenchmark.Run),
    ["augment"] = ("ms per batch of 64 of each step of the batched augmentation at 64 and 224 px", AugmentBenchmark.Run),
};

if (args.Length == 0 || !cases.TryGetValue(args[0], out var selected))
{
    Console.Error.WriteLine("usage: MlNetVision.Benchmarks <case> [args]");
    foreach (var (name, (help, _)) in cases) Console.Error.WriteLine($"  {name,-12} {help}");
    return 2;
}
return selected.Run(args[1..]);
