using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// The data of a classification task: the classes and a training, validation and optional test
/// <see cref="DataLoader"/>, built from folders, file-name patterns, CSV, lists or an ML.NET <c>IDataView</c>
/// (fastai v1's <c>ImageDataBunch</c>). Every image is decoded once, in parallel, to the target size, and bad input
/// is skipped with one summary warning (or refused under <see cref="ImageDataBunchOptions.Strict"/>).
/// </summary>
public sealed partial class ImageDataBunch : IDisposable
{
    /// <summary>Image file extensions the folder sources look at (lower case, with the dot).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    private ImageDataBunch(string path, IReadOnlyList<string> classes, DataLoader train, DataLoader valid, DataLoader? test,
        ImageDataBunchOptions options, IReadOnlyList<SkippedInput> skipped)
    {
        Path = path;
        Classes = classes;
        Train = train;
        Valid = valid;
        Test = test;
        ImageSize = options.Size;
        BatchSize = options.BatchSize;
        Seed = options.Seed;
        ResizeMethod = options.ResizeMethod;
        Transforms = options.Transforms;
        Skipped = skipped;
        TrainCounts = CountPerClass(train.Items, classes.Count);
        ValidCounts = CountPerClass(valid.Items, classes.Count);
    }

    /// <summary>The data root; checkpoints go to <c>Path/models</c>.</summary>
    public string Path { get; }

    /// <summary>The class names: sorted ordinally (stable for the same data), or in the order of <see cref="ImageDataBunchOptions.Classes"/> when given.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The number of classes.</summary>
    public int C => Classes.Count;

    /// <summary>The training loader: shuffled and augmented.</summary>
    public DataLoader Train { get; }

    /// <summary>The validation loader: item order, resized only.</summary>
    public DataLoader Valid { get; }

    /// <summary>The unlabelled test loader (labels -1), or <c>null</c> when the source has no test set.</summary>
    public DataLoader? Test { get; }

    /// <summary>The side of the square images served.</summary>
    public int ImageSize { get; }

    /// <summary>The number of images per batch (the learner's AutoBatchSize may lower it).</summary>
    public int BatchSize { get; private set; }

    /// <summary>Serves every loader's later batches with <paramref name="batchSize"/> images (the learner's AutoBatchSize).</summary>
    internal void ChangeBatchSize(int batchSize)
    {
        Train.ChangeBatchSize(batchSize);
        Valid.ChangeBatchSize(batchSize);
        Test?.ChangeBatchSize(batchSize);
        BatchSize = batchSize;
    }

    /// <summary>The seed of the split, the shuffling and the augmentation.</summary>
    public int Seed { get; }

    /// <summary>How images are brought to <see cref="ImageSize"/>.</summary>
    public ResizeMethod ResizeMethod { get; }

    /// <summary>The training augmentation.</summary>
    public TransformOptions Transforms { get; }

    /// <summary>The training images per class, indexed like <see cref="Classes"/>.</summary>
    public IReadOnlyList<int> TrainCounts { get; }

    /// <summary>The validation images per class, indexed like <see cref="Classes"/>.</summary>
    public IReadOnlyList<int> ValidCounts { get; }

    /// <summary>The inputs that were left out, with reasons (also written once as a summary warning).</summary>
    public IReadOnlyList<SkippedInput> Skipped { get; }

    /// <summary>The loader of a split.</summary>
    /// <param name="split">Which split.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="InvalidOperationException">The test split was asked for and there is none.</exception>
    public DataLoader Loader(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Valid => Valid,
        _ => Test ?? throw new InvalidOperationException("This data bunch has no test set."),
    };

    /// <summary>
    /// Applies this bunch's training transforms (<see cref="Transforms"/>, without the random crop) to images that are
    /// already at their final size, with parameters drawn from <paramref name="seed"/> — e.g. for test-time augmentation.
    /// </summary>
    /// <param name="images">float32 [B,3,H,W], RGB, 0..1; not modified.</param>
    /// <param name="seed">The seed of the random parameters; the same seed gives the same result.</param>
    /// <returns>A new float32 [B,3,H,W] tensor in 0..1.</returns>
    public Tensor Augment(Tensor images, int seed)
    {
        if (Transforms.IsIdentity) return images.clone();
        return new BatchAugmenter(Transforms).Apply(images, new Random(seed));
    }

    /// <summary>Frees the decoded images of every loader.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Valid.Dispose();
        Test?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ImageDataBunch: {C} classes, train {Train.Count}, valid {Valid.Count}{(Test is null ? "" : $", test {Test.Count}")}, size {ImageSize}, bs {BatchSize}";

    private static int[] CountPerClass(IReadOnlyList<ImageItem> items, int classes)
    {
        var counts = new int[classes];
        foreach (var item in items) if (item.Label >= 0) counts[item.Label]++;
        return counts;
    }

    /// <summary>One input before decoding: its source and label name (null for unlabelled).</summary>
    internal readonly record struct RawItem(ImageSource Source, string? Label);

    /// <summary>Splits items with fastai's <c>split_by_rand_pct</c>: a seeded permutation, the first ValidPct of it is validation.</summary>
    internal static (List<RawItem> Train, List<RawItem> Valid) RandomSplit(IReadOnlyList<RawItem> items, double validPct, int seed)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        var rng = new Random(seed);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var cut = (int)(validPct * items.Count);
        var validSet = order.Take(cut).ToHashSet();
        var train = new List<RawItem>();
        var valid = new List<RawItem>();
        for (var i = 0; i < items.Count; i++) (validSet.Contains(i) ? valid : train).Add(items[i]);
        return (train, valid);
    }

    /// <summary>Decodes every item, drops the bad ones, fixes the classes (given, or from the training items) and builds the loaders.</summary>
    private static ImageDataBunch Build(string path, IReadOnlyList<RawItem> train, IReadOnlyList<RawItem> valid,
        IReadOnlyList<RawItem>? test, ImageDataBunchOptions? options, List<SkippedInput> skipped)
    {
        options ??= new ImageDataBunchOptions();
        options.Validate();
        Native.NativeBackend.EnsureLoaded();
        var log = options.Log ?? Console.Error;
        var all = train.Concat(valid).Concat(test ?? []).ToArray();
        var perImage = 3L * options.Size * options.Size * (options.ResizeMethod == ResizeMethod.Crop ? ImageLoader.MaxCachedAspect : 1);
        var keep = (long)(perImage * all.Length) <= options.MaxCacheBytes;
        if (!keep)
            lock (log) log.WriteLine(FormattableString.Invariant($"MlNetVision.Data warning: the image cache would need {perImage * all.Length / 1048576.0:N0} MiB for {all.Length:N0} images at {options.Size} px, more than MaxCacheBytes ({options.MaxCacheBytes / 1048576.0:N0} MiB): images are decoded again for every batch."));
        var decoded = new Tensor?[all.Length];
        var failures = new ConcurrentDictionary<int, string>();
        Parallel.For(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = options.NumWorkers }, i =>
        {
            try
            {
                var t = ImageLoader.Decode(all[i].Source, options.Size, options.ResizeMethod, options.MaxPixels);
                if (keep) decoded[i] = t;
                else t.Dispose();
            }
            catch (ImageDecodeException e)
            {
                failures[i] = e.Message;
            }
        });
        for (var i = 0; i < all.Length; i++)
            if (failures.TryGetValue(i, out var reason)) skipped.Add(new SkippedInput(all[i].Source.Name, reason));

        var classes = options.Classes?.ToArray() ?? Enumerable.Range(0, train.Count).Where(i => !failures.ContainsKey(i))
            .Select(i => train[i].Label!).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        for (var k = 0; k < train.Count + valid.Count; k++)
        {
            var item = k < train.Count ? train[k] : valid[k - train.Count];
            if (failures.ContainsKey(k) || classIndex.ContainsKey(item.Label!)) continue;
            failures[k] = "unknown class";
            skipped.Add(new SkippedInput(item.Source.Name, options.Classes is null
                ? $"class '{item.Label}' has no training image"
                : $"class '{item.Label}' is not one of the given classes"));
            decoded[k]?.Dispose();
            decoded[k] = null;
        }
        var anyTraining = Enumerable.Range(0, train.Count).Any(i => !failures.ContainsKey(i));

        if (options.Strict && skipped.Count > 0)
        {
            foreach (var t in decoded) t?.Dispose();
            throw new BadInputException($"{skipped.Count} bad input(s) under Strict:{Environment.NewLine}{Summary(skipped)}", skipped);
        }
        if (!anyTraining)
        {
            foreach (var t in decoded) t?.Dispose();
            throw new BadInputException($"No usable training image in '{path}'.{(skipped.Count > 0 ? Environment.NewLine + Summary(skipped) : "")}", skipped);
        }
        if (skipped.Count > 0)
            lock (log) log.WriteLine($"MlNetVision.Data warning: skipped {skipped.Count} input(s) of '{path}':{Environment.NewLine}{Summary(skipped)}");

        DataLoader MakeLoader(IReadOnlyList<RawItem> raw, int offset, bool shuffle)
        {
            var kept = Enumerable.Range(0, raw.Count).Where(i => !failures.ContainsKey(offset + i)).ToArray();
            var items = kept.Select(i => new ImageItem(raw[i].Source.Name, raw[i].Label is { } l ? classIndex[l] : -1)).ToArray();
            var sources = kept.Select(i => raw[i].Source).ToArray();
            var cache = keep ? kept.Select(i => decoded[offset + i]).ToArray() : null;
            var store = new ImageStore(sources, cache, options.Size, options.ResizeMethod, options.MaxPixels, log);
            var settings = new DataLoaderSettings(options.BatchSize, shuffle, shuffle ? options.Transforms : null, options.Seed,
                options.Prefetch ?? !store.IsCached, options.NumWorkers);
            return new DataLoader(items, store, settings);
        }

        var trainLoader = MakeLoader(train, 0, shuffle: true);
        var validLoader = MakeLoader(valid, train.Count, shuffle: false);
        var testLoader = test is null ? null : MakeLoader(test, train.Count + valid.Count, shuffle: false);
        return new ImageDataBunch(path, classes, trainLoader, validLoader, testLoader, options, skipped);
    }

    private static string Summary(IEnumerable<SkippedInput> skipped) => string.Join(Environment.NewLine, skipped.Select(s => "  " + s));
}
