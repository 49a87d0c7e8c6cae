using System.Diagnostics;
using System.Globalization;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// fastai's progress display: a table row per epoch (<c>epoch  train_loss  valid_loss  metrics…  time</c>) always, and a
/// live line over the batches of the current pass when the output is an interactive console.
/// </summary>
public sealed class ConsoleProgress : LearnerCallback
{
    private readonly TextWriter _writer;
    private readonly bool _live;
    private readonly Stopwatch _sinceDraw = new();
    private bool _lineOpen;

    /// <summary>Writes to <paramref name="writer"/>; the live line is drawn when <paramref name="live"/> is set (default: the writer is the console and the console is not redirected).</summary>
    public ConsoleProgress(TextWriter writer, bool? live = null)
    {
        _writer = writer;
        _live = live ?? (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected);
    }

    /// <summary>Runs after the recorder and user callbacks.</summary>
    public override int Order => 100;

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner)
    {
        var cols = new List<string> { "epoch", "train_loss", "valid_loss" };
        cols.AddRange(learner.Metrics.Select(m => m.Name));
        cols.Add("time");
        _writer.WriteLine(string.Join("  ", cols.Select(c => c.PadRight(Math.Max(10, c.Length)))).TrimEnd());
        _sinceDraw.Restart();
    }

    /// <inheritdoc/>
    public override void AfterBatch(Learner learner) => Live(learner, learner.State.Training ? "train" : "valid");

    /// <inheritdoc/>
    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is not { } row) return;
        ClearLine();
        var cells = new List<(string Name, string Text)>
        {
            ("epoch", row.Epoch.ToString(CultureInfo.InvariantCulture)),
            ("train_loss", Format(row.TrainLoss)),
            ("valid_loss", Format(row.ValidLoss)),
        };
        cells.AddRange(row.Metrics.Select(m => (m.Key, Format(m.Value))));
        cells.Add(("time", row.Duration.ToString(@"mm\:ss", CultureInfo.InvariantCulture)));
        _writer.WriteLine(string.Join("  ", cells.Select(c => c.Text.PadRight(Math.Max(10, c.Name.Length)))).TrimEnd());
    }

    /// <inheritdoc/>
    public override void AfterFit(Learner learner)
    {
        ClearLine();
        if (learner.State.StopReason is { } reason) _writer.WriteLine($"Stopped: {reason}");
    }

    private void Live(Learner learner, string pass)
    {
        if (!_live) return;
        var s = learner.State;
        bool last = s.Batch + 1 >= s.Batches;
        if (!last && _sinceDraw.ElapsedMilliseconds < 200) return;
        _sinceDraw.Restart();
        const int width = 30;
        int filled = s.Batches == 0 ? width : (int)((long)(s.Batch + 1) * width / s.Batches);
        var bar = new string('█', filled) + new string('-', width - filled);
        _writer.Write($"\r epoch {s.Epoch + 1}/{s.Epochs} {pass} |{bar}| {s.Batch + 1}/{s.Batches}  loss {Format(s.SmoothLoss)}   ");
        _lineOpen = true;
    }

    private void ClearLine()
    {
        if (!_lineOpen) return;
        _writer.Write("\r" + new string(' ', 100) + "\r");
        _lineOpen = false;
    }

    private static string Format(double v) => v.ToString("0.000000", CultureInfo.InvariantCulture);
}
