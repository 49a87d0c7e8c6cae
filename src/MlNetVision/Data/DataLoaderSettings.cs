namespace MlNetVision.Data;

/// <summary>
/// How a <see cref="DataLoader"/> serves its items, fixed when the bunch is built from <see cref="ImageDataBunchOptions"/>:
/// the first batch size, whether it shuffles (the training loader), the augmentation (<see langword="null"/> or identity
/// for none), the seed, whether the next batch is prepared on a background thread, and how many threads decode a batch
/// of uncached files.
/// </summary>
internal sealed record DataLoaderSettings(int BatchSize, bool Shuffle, TransformOptions? Transforms, int Seed, bool Prefetch, int NumWorkers);
