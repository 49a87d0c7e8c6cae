using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MlNetVision.Tests")]
