using System.Runtime.InteropServices;

namespace MlNetVision.Cli.Running;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation request that commands honour at the next safe
/// point (end of a batch), so they can save the last good checkpoint; a second signal ends the process at once.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _error;
    private int _count;

    /// <summary>Starts listening for SIGINT and SIGTERM; messages about stopping go to <paramref name="error"/>.</summary>
    public TerminationSignals(TextWriter error)
    {
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled when the first signal arrives.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Whether a stop was requested.</summary>
    public bool StopRequested => _cts.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            context.Cancel = true;
            _error.WriteLine("Stopping after the current batch (press Ctrl+C again to quit at once)...");
            _cts.Cancel();
        }
        // A second signal: leave context.Cancel false, the runtime ends the process.
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
