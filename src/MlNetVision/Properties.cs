using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MlNetVision.Tests")]
[assembly: InternalsVisibleTo("MlNetVision.Benchmarks")]
