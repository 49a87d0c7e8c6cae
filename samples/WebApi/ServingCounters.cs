using System.Collections.Concurrent;

namespace WebApi;

/// <summary>What the server has answered since it started, by outcome (reported by <c>GET /health</c>).</summary>
public sealed class ServingCounters
{
    private readonly ConcurrentDictionary<int, long> _rejected = new();
    private long _predictions;
    private long _aborted;

    /// <summary>Predictions answered with 200.</summary>
    public long Predictions => Interlocked.Read(ref _predictions);

    /// <summary>Uploads the client abandoned before they were complete (nothing could be answered).</summary>
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Refused uploads by HTTP status.</summary>
    public IReadOnlyDictionary<int, long> Rejected => new SortedDictionary<int, long>(_rejected);

    /// <summary>Counts one prediction.</summary>
    public void Predicted() => Interlocked.Increment(ref _predictions);

    /// <summary>Counts one refused upload.</summary>
    public void Refused(int status) => _rejected.AddOrUpdate(status, 1, (_, n) => n + 1);

    /// <summary>Counts one abandoned upload.</summary>
    public void Abandoned() => Interlocked.Increment(ref _aborted);
}
