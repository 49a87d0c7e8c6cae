using System.Diagnostics;
using System.Globalization;
using MlNetVision.Training;
using Spectre.Console;

namespace MlNetVision.Cli.Output;

/// <summary>
/// Shows a fit as fastai does: a table row per epoch (<c>epoch  train_loss  valid_loss  error_rate  time</c>) and,
/// in a terminal, a live bar over the batches of the current pass. Receives the learner's progress reports
/// (<see cref="LearnerOptions.Progress"/>); in plain mode it prints one line per finished epoch and nothing per batch.
/// </summary>
public sealed class TrainingView : IProgress<TrainingProgress>
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);
    private readonly CliOutput _output;
    private readonly List<EpochResult> _rows = [];
    private readonly Stopwatch _sinceRefresh = Stopwatch.StartNew();
    private LiveDisplayContext? _live;
    private Table? _table;
    private string _status = "";
    private string[]? _headers;
    private int[]? _widths;

    /// <summary>Creates a view over <paramref name="output"/>.</summary>
    public TrainingView(CliOutput output) => _output = output;

    /// <summary>Every epoch row reported so far, over all passes, in order.</summary>
    public IReadOnlyList<EpochResult> Rows => _rows;

    /// <summary>Runs <paramref name="fit"/> with the table (and, in a terminal, the live bar) shown under <paramref name="title"/>.</summary>
    public void Run(string title, Action fit)
    {
        _output.Heading(title);
        _headers = null;
        if (_output.Ansi is not { } ansi)
        {
            fit();
            return;
        }
        _table = new Table().Border(TableBorder.Rounded);
        _status = "starting...";
        _table.Caption = new TableTitle(_status);
        ansi.Live(_table).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(ctx =>
        {
            _live = ctx;
            try
            {
                fit();
            }
            finally
            {
                _table.Caption = null;
                ctx.Refresh();
                _live = null;
            }
        });
    }

    /// <inheritdoc/>
    public void Report(TrainingProgress value)
    {
        if (value.Kind == TrainingProgressKind.Epoch && value.EpochResult is { } row)
        {
            _rows.Add(row);
            AddRow(row);
            return;
        }
        if (_live is null || _table is null) return;
        var pass = value.Kind == TrainingProgressKind.TrainingBatch ? "train" : "valid";
        var loss = double.IsFinite(value.SmoothLoss) ? $"  loss {value.SmoothLoss.ToString("0.0000", CultureInfo.InvariantCulture)}" : "";
        _status = $"epoch {value.Epoch + 1}/{value.Epochs}  {pass} {Bar(value.Batch, value.Batches)} {value.Batch}/{value.Batches}{loss}";
        if (_sinceRefresh.Elapsed < RefreshInterval && value.Batch != value.Batches) return;
        _table.Caption = new TableTitle(Markup.Escape(_status));
        _live.Refresh();
        _sinceRefresh.Restart();
    }

    /// <summary>The column names of an epoch row: epoch, train_loss, valid_loss, the metrics, time.</summary>
    public static string[] Headers(EpochResult row) =>
        ["epoch", "train_loss", "valid_loss", .. row.Metrics.Select(m => m.Key), "time"];

    /// <summary>The cells of an epoch row, formatted as fastai prints them.</summary>
    public static string[] Cells(EpochResult row) =>
        [row.Epoch.ToString(CultureInfo.InvariantCulture), CliOutput.Number(row.TrainLoss), CliOutput.Number(row.ValidLoss),
         .. row.Metrics.Select(m => CliOutput.Number(m.Value)), FormatTime(row.Duration)];

    /// <summary><c>mm:ss</c>, as fastai's progress table.</summary>
    public static string FormatTime(TimeSpan t) => $"{(int)t.TotalMinutes:00}:{t.Seconds:00}";

    private void AddRow(EpochResult row)
    {
        var cells = Cells(row);
        if (_table is not null && _live is not null)
        {
            if (_headers is null)
            {
                _headers = Headers(row);
                foreach (var (h, i) in _headers.Select((h, i) => (h, i)))
                {
                    var column = new TableColumn(h);
                    if (i > 0) column.RightAligned();
                    _table.AddColumn(column);
                }
            }
            _table.AddRow(cells.Select(c => Markup.Escape(c)).ToArray());
            _live.Refresh();
            return;
        }
        if (_headers is null)
        {
            _headers = Headers(row);
            _widths = _headers.Select(h => Math.Max(h.Length, 8)).ToArray();
            _output.Out.WriteLine(PlainTable.FormatRow(_headers, _widths));
        }
        _output.Out.WriteLine(PlainTable.FormatRow(cells, _widths!));
        _output.Out.Flush();
    }

    private static string Bar(int done, int total, int width = 30)
    {
        var filled = total <= 0 ? 0 : (int)Math.Round((double)done / total * width);
        return new string('━', filled) + new string('─', width - filled);
    }
}
