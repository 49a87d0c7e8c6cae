using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// Serves the items of one split as <see cref="ImageBatch"/>es. The training loader shuffles (seeded by
/// <see cref="Seed"/> and <see cref="Epoch"/>, which each enumeration advances) and augments; the validation and test
/// loaders keep <see cref="Items"/> order and only resize. The next batch is prepared on a background thread while the
/// current one is used when <see cref="Prefetches"/>; libtorch runs that thread's operators single-threaded so that they
/// contend less with the training step for the cores.
/// </summary>
public sealed class DataLoader : IEnumerable<ImageBatch>, IDisposable
{
    private readonly ImageStore _store;
    private readonly DataLoaderSettings _settings;
    private readonly BatchAugmenter? _augmenter;

    internal DataLoader(IReadOnlyList<ImageItem> items, ImageStore store, DataLoaderSettings settings)
    {
        Items = items;
        _store = store;
        _settings = settings;
        BatchSize = settings.BatchSize;
        _augmenter = settings.Transforms is { IsIdentity: false } transforms ? new BatchAugmenter(transforms) : null;
    }

    /// <summary>The items served, in item order (batches of a shuffled loader refer to them by index).</summary>
    public IReadOnlyList<ImageItem> Items { get; }

    /// <summary>The number of items.</summary>
    public int Count => Items.Count;

    /// <summary>The number of images per batch.</summary>
    public int BatchSize { get; private set; }

    /// <summary>The side of the square images served.</summary>
    public int Size => _store.Size;

    /// <summary>How images are brought to <see cref="Size"/>.</summary>
    public ResizeMethod ResizeMethod => _store.ResizeMethod;

    /// <summary>Whether enumeration shuffles and augments (the training loader).</summary>
    public bool Shuffle => _settings.Shuffle;

    /// <summary>Whether augmentation is applied when enumerating (training loader with non-identity transforms).</summary>
    public bool Augments => _augmenter is not null;

    /// <summary>The seed of the shuffling and augmentation.</summary>
    public int Seed => _settings.Seed;

    /// <summary>The epoch counter that, with <see cref="Seed"/>, fixes the order and augmentation of the next enumeration; each enumeration of a shuffled loader advances it.</summary>
    public int Epoch { get; set; }

    /// <summary>Whether enumeration builds the next batch on a background thread (see <see cref="ImageDataBunchOptions.Prefetch"/>).</summary>
    public bool Prefetches => _settings.Prefetch;

    /// <summary>Whether the decoded images are held in memory.</summary>
    public bool IsCached => _store.IsCached;

    /// <summary>Serves later enumerations in batches of <paramref name="batchSize"/> (the learner's AutoBatchSize, between epochs).</summary>
    internal void ChangeBatchSize(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
    }

    // fastai drops the last partial training batch; keep it when there is no full batch at all.
    private bool DropLast => Shuffle && Count >= BatchSize;

    /// <summary>The number of batches one enumeration yields (the training loader drops the last partial batch, as fastai does).</summary>
    public int BatchCount => Count == 0 ? 0 : DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>One item as served by validation: float32 [3,S,S], RGB 0..1, centre-cropped, no augmentation. The caller owns it.</summary>
    /// <param name="index">An index into <see cref="Items"/>.</param>
    /// <returns>float32 [3,S,S] in 0..1.</returns>
    public Tensor LoadItem(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        using var scope = NewDisposeScope();
        return ImageLoader.ToSquareFloat(_store.Get(index), Size, null).MoveToOuterDisposeScope();
    }

    /// <summary>The encoded image of one item as its source holds it: the file's bytes, or the bytes read from an ML.NET column.</summary>
    /// <param name="index">An index into <see cref="Items"/>.</param>
    /// <returns>The encoded image (PNG, JPEG, ...), not decoded.</returns>
    /// <exception cref="IOException">The item's file can no longer be read.</exception>
    public byte[] ReadEncoded(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _store.Source(index).ReadAllBytes();
    }

    /// <summary>Builds the batch of the given items as validation serves it (no augmentation), whatever the loader.</summary>
    /// <param name="indices">Indices into <see cref="Items"/>.</param>
    /// <returns>A batch the caller disposes.</returns>
    public ImageBatch GetBatch(IReadOnlyList<int> indices)
    {
        var (images, labels) = Build(indices.ToArray(), null);
        return Adopt(images, labels, indices.ToArray());
    }

    /// <summary>
    /// The first batch of the next enumeration, built exactly as enumeration would build it (shuffled and augmented for
    /// the training loader) without advancing <see cref="Epoch"/> (fastai's <c>one_batch</c>).
    /// </summary>
    /// <returns>A batch the caller disposes.</returns>
    /// <exception cref="InvalidOperationException">The loader has no items.</exception>
    public ImageBatch OneBatch()
    {
        var rng = CreateRandom(Epoch);
        var plan = PlanBatches(rng);
        if (plan.Count == 0) throw new InvalidOperationException("The loader has no items.");
        var (images, labels) = Build(plan[0], _augmenter is not null ? rng : null);
        return Adopt(images, labels, plan[0]);
    }

    /// <summary>The item indices of each batch of the next enumeration, without building any image.</summary>
    /// <remarks>Does not advance <see cref="Epoch"/>.</remarks>
    public IReadOnlyList<int[]> PlanBatches() => PlanBatches(CreateRandom(Epoch));

    /// <summary>Enumerates one epoch of batches; a shuffled loader advances <see cref="Epoch"/>.</summary>
    public IEnumerator<ImageBatch> GetEnumerator()
    {
        var rng = CreateRandom(Epoch);
        if (Shuffle) Epoch++;
        return new Enumerator(this, PlanBatches(rng), rng);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Frees the decoded images.</summary>
    public void Dispose() => _store.Dispose();

    private Random CreateRandom(int epoch) => new(unchecked(Seed * 1_000_003 + epoch * 7_919 + 17));

    private IReadOnlyList<int[]> PlanBatches(Random rng)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (Shuffle)
        {
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        var batches = new List<int[]>(BatchCount);
        for (var b = 0; b < BatchCount; b++)
            batches.Add(order.Skip(b * BatchSize).Take(BatchSize).ToArray());
        return batches;
    }

    /// <summary>Builds images and labels outside any dispose scope (possibly on a background thread).</summary>
    private (Tensor Images, Tensor Labels) Build(int[] indices, Random? rng)
    {
        using var scope = NewDisposeScope();
        var sources = new Tensor[indices.Length];
        var parallel = !_store.IsCached && _settings.NumWorkers > 1;
        if (!parallel)
        {
            for (var k = 0; k < indices.Length; k++) sources[k] = _store.Get(indices[k]);
        }
        else
        {
            // Not cached: decode the batch's files in parallel (tensors made on other threads are disposed here).
            Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = _settings.NumWorkers }, k => sources[k] = _store.Get(indices[k]));
        }
        var crops = new Tensor[indices.Length];
        for (var k = 0; k < indices.Length; k++)
        {
            (double, double)? pos = rng is not null && _settings.Transforms is { RandomCrop: true } ? (rng.NextDouble(), rng.NextDouble()) : null;
            crops[k] = ImageLoader.CropSquare(sources[k], Size, pos);
        }
        var images = stack(crops).to_type(ScalarType.Float32).div_(255f);
        if (rng is not null && _augmenter is not null) images = _augmenter.Apply(images, rng);
        var labels = tensor(indices.Select(i => (long)Items[i].Label).ToArray(), ScalarType.Int64);
        if (parallel) foreach (var t in sources) t.Dispose();
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>Hands tensors built elsewhere to the caller's current dispose scope (if any) as new handles.</summary>
    private static ImageBatch Adopt(Tensor images, Tensor labels, int[] indices)
    {
        var i = images.alias();
        var l = labels.alias();
        images.Dispose();
        labels.Dispose();
        return new ImageBatch(i, l, indices);
    }

    private sealed class Enumerator : IEnumerator<ImageBatch>
    {
        private readonly DataLoader _loader;
        private readonly IReadOnlyList<int[]> _batches;
        private readonly Random? _rng;
        private Task<(Tensor, Tensor)>? _next;
        private int _position;
        private ImageBatch? _current;

        public Enumerator(DataLoader loader, IReadOnlyList<int[]> batches, Random rng)
        {
            _loader = loader;
            _batches = batches;
            _rng = loader._augmenter is not null ? rng : null;
        }

        public ImageBatch Current => _current ?? throw new InvalidOperationException("Enumeration has not started.");

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_position >= _batches.Count) return false;
            var indices = _batches[_position];
            var (images, labels) = _next is not null ? _next.GetAwaiter().GetResult() : _loader.Build(indices, _rng);
            _next = null;
            _position++;
            if (_loader.Prefetches && _position < _batches.Count)
            {
                var nextIndices = _batches[_position];
                _next = PrefetchWorker.Run(() => _loader.Build(nextIndices, _rng));
            }
            _current = Adopt(images, labels, indices);
            return true;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            if (_next is null) return;
            try
            {
                var (images, labels) = _next.GetAwaiter().GetResult();
                images.Dispose();
                labels.Dispose();
            }
            catch (Exception)
            {
                // The enumeration is being abandoned; a failure of the unused prefetched batch has no one to report to.
            }
            _next = null;
        }
    }
}
