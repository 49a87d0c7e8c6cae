using System.Collections.Concurrent;
using MlNetVision.Native;

namespace MlNetVision.Data;

/// <summary>
/// The one background thread on which <see cref="DataLoader"/>s build their next batch while the model computes.
/// libtorch operators called on it run on that thread alone (one intra-op thread), so building a batch takes at
/// most one core from the training step instead of starting a second team of <c>torch.get_num_threads()</c>
/// threads that would contend with the step's team on every operator.
/// </summary>
internal static class PrefetchWorker
{
    private static readonly BlockingCollection<Action> Queue = new();
    private static readonly Lazy<Thread> Worker = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static volatile bool _singleThreaded;

    /// <summary>Whether the worker's libtorch calls run on one thread (false if the OpenMP runtime could not be reached).</summary>
    public static bool IsSingleThreaded
    {
        get
        {
            Run(() => 0).Wait(); // the worker sets itself up before its first item
            return _singleThreaded;
        }
    }

    /// <summary>Queues <paramref name="work"/> on the worker thread; the task carries its result or its exception.</summary>
    public static Task<T> Run<T>(Func<T> work)
    {
        _ = Worker.Value;
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception ex) { done.SetException(ex); }
        });
        return done.Task;
    }

    private static Thread Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "MlNetVision prefetch" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        try { _singleThreaded = NativeBackend.TrySetIntraOpThreadsForThisThread(1); }
        catch (NativeBackendException) { _singleThreaded = false; }
        foreach (var work in Queue.GetConsumingEnumerable()) work();
    }
}
