namespace MlNetVision.Data;

/// <summary>How an <see cref="ImageDataBunch"/> is built. Defaults follow fastai v1's <c>ImageDataBunch</c> factories.</summary>
public sealed class ImageDataBunchOptions
{
    /// <summary>Default of <see cref="ValidPct"/>.</summary>
    public const double DefaultValidPct = 0.2;

    /// <summary>The fraction of the items held out for validation when the source has no validation split (fastai <c>valid_pct</c>).</summary>
    /// <value>The default value is 0.2.</value>
    public double ValidPct { get; set; } = DefaultValidPct;

    /// <summary>Default of <see cref="Size"/>.</summary>
    public const int DefaultSize = 224;

    /// <summary>The side, in pixels, of the square images served (fastai <c>size</c>).</summary>
    /// <value>The default value is 224.</value>
    public int Size { get; set; } = DefaultSize;

    /// <summary>Default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>The number of images per batch (fastai <c>bs</c>).</summary>
    /// <value>The default value is 64.</value>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>Default of <see cref="Seed"/>.</summary>
    public const int DefaultSeed = 42;

    /// <summary>The seed of the validation split, the shuffling and the augmentation; the same seed gives the same batches.</summary>
    /// <value>The default value is 42 (the seed of the fastai lesson-1 notebook's <c>np.random.seed(2)</c> is not reproducible across libraries anyway).</value>
    public int Seed { get; set; } = DefaultSeed;

    /// <summary>The training augmentation.</summary>
    /// <value>The default value is <see cref="TransformOptions.FastAiDefaults"/>.</value>
    public TransformOptions Transforms { get; set; } = TransformOptions.FastAiDefaults();

    /// <summary>How images are brought to <see cref="Size"/>.</summary>
    /// <value>The default value is <see cref="ResizeMethod.Crop"/>.</value>
    public ResizeMethod ResizeMethod { get; set; } = ResizeMethod.Crop;

    /// <summary>Whether bad input (unreadable files, missing CSV rows, classes only in validation...) throws instead of being skipped with one warning.</summary>
    /// <value>The default value is <c>false</c>.</value>
    public bool Strict { get; set; }

    /// <summary>How many threads decode images in parallel.</summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>.</value>
    public int NumWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>Default of <see cref="MaxPixels"/>: Pillow's <c>MAX_IMAGE_PIXELS</c> (89,478,485), its image-bomb guard.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>Images whose declared width × height exceed this are refused before decoding (image-bomb guard).</summary>
    /// <value>The default value is 89,478,485, Pillow's <c>MAX_IMAGE_PIXELS</c>.</value>
    public long MaxPixels { get; set; } = DefaultMaxPixels;

    /// <summary>Default of <see cref="MaxCacheBytes"/>: 4 GiB.</summary>
    public const long DefaultMaxCacheBytes = 4L << 30;

    /// <summary>The largest decoded cache kept in memory; above it, images are decoded again for every batch.</summary>
    /// <value>The default value is 4 GiB.</value>
    public long MaxCacheBytes { get; set; } = DefaultMaxCacheBytes;

    /// <summary>
    /// Whether loaders prepare the next batch on a background thread while the current one is used; <c>null</c> decides
    /// per loader: prefetch when images are decoded for every batch (not cached), not when they come from the cache.
    /// </summary>
    /// <remarks>
    /// From the cache a batch costs a crop, a <c>grid_sample</c> and the lighting (about 9 ms for 64 images of 64x64
    /// here), while running it beside a CPU training step that uses every core slowed the step by far more: 16 steps of
    /// ResNet18 at 64 px took 8.1 s with prefetch on pool threads, 7.4 s with it on one single-threaded worker, and 6.5 s
    /// without it (2 cores; see docs/BENCHMARKS.md). Decoding files per batch is slow enough that overlapping it pays.
    /// </remarks>
    /// <value>The default value is <c>null</c> (automatic).</value>
    public bool? Prefetch { get; set; }

    /// <summary>Where the summary warning about skipped input is written; <c>null</c> writes to <see cref="Console.Error"/>.</summary>
    /// <value>The default value is <c>null</c> (standard error).</value>
    public TextWriter? Log { get; set; }

    /// <summary>The name of the training folder for <see cref="ImageDataBunch.FromFolder"/>.</summary>
    /// <value>The default value is <c>"train"</c>.</value>
    public string TrainFolder { get; set; } = "train";

    /// <summary>The name of the validation folder for <see cref="ImageDataBunch.FromFolder"/>.</summary>
    /// <value>The default value is <c>"valid"</c>.</value>
    public string ValidFolder { get; set; } = "valid";

    /// <summary>The name of the optional unlabelled test folder for <see cref="ImageDataBunch.FromFolder"/>.</summary>
    /// <value>The default value is <c>"test"</c>.</value>
    public string TestFolder { get; set; } = "test";

    /// <summary>
    /// A fixed class order (for example an ML.NET label's key order): class index <c>i</c> is <c>Classes[i]</c>, items
    /// labelled with another name are skipped, and a class without training images keeps its index with a count of 0.
    /// <c>null</c> takes the training labels, sorted ordinally.
    /// </summary>
    /// <value>The default value is <c>null</c> (the training labels in ordinal order).</value>
    public IReadOnlyList<string>? Classes { get; set; }

    internal void Validate()
    {
        if (ValidPct is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ValidPct), ValidPct, "ValidPct must be in [0, 1).");
        if (Size < 1) throw new ArgumentOutOfRangeException(nameof(Size), Size, "Size must be positive.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (NumWorkers < 1) throw new ArgumentOutOfRangeException(nameof(NumWorkers), NumWorkers, "NumWorkers must be positive.");
        ArgumentNullException.ThrowIfNull(Transforms);
        if (Classes is not null)
        {
            if (Classes.Count == 0) throw new ArgumentException("Classes, when given, must name at least one class.", nameof(Classes));
            if (Classes.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Classes cannot contain an empty name.", nameof(Classes));
            if (Classes.Distinct(StringComparer.Ordinal).Count() != Classes.Count) throw new ArgumentException("Classes contains a name twice.", nameof(Classes));
        }
    }
}
