using MlNetVision.Benchmarks;

return BenchmarkProgram.Run(args);
