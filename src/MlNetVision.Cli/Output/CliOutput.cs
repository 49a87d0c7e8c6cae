using System.Globalization;
using Spectre.Console;

namespace MlNetVision.Cli.Output;

/// <summary>
/// Everything a command prints goes through here, so the same command reads well in a terminal (Spectre.Console
/// tables and live progress) and in a log (plain aligned lines). Results go to standard output; warnings,
/// errors and progress chatter go to standard error.
/// </summary>
public sealed class CliOutput
{
    private readonly IAnsiConsole? _ansi;

    /// <summary>Creates an output over the given writers.</summary>
    public CliOutput(OutputMode mode, TextWriter output, TextWriter error)
    {
        Mode = mode;
        Out = output;
        Error = error;
        if (mode == OutputMode.Interactive)
            _ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
    }

    /// <summary>The mode in force.</summary>
    public OutputMode Mode { get; }

    /// <summary>Standard output (results).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error (warnings, errors).</summary>
    public TextWriter Error { get; }

    /// <summary>The Spectre console in interactive mode; <see langword="null"/> in plain mode.</summary>
    internal IAnsiConsole? Ansi => _ansi;

    /// <summary>Writes one line of results.</summary>
    public void Line(string text = "")
    {
        if (_ansi is not null) _ansi.WriteLine(text);
        else Out.WriteLine(text);
    }

    /// <summary>Writes a section heading (bold in a terminal, <c>== title</c> in plain mode).</summary>
    public void Heading(string title)
    {
        if (_ansi is not null) { _ansi.WriteLine(); _ansi.MarkupLine($"[bold]{Markup.Escape(title)}[/]"); }
        else { Out.WriteLine(); Out.WriteLine($"== {title}"); }
    }

    /// <summary>Writes a <c>key: value</c> fact line.</summary>
    public void Fact(string key, string value)
    {
        if (_ansi is not null) _ansi.MarkupLine($"[grey]{Markup.Escape(key)}:[/] {Markup.Escape(value)}");
        else Out.WriteLine($"{key}: {value}");
    }

    /// <summary>Writes a warning line (<c>warning: ...</c>) to standard error.</summary>
    public void Warning(string text) => Error.WriteLine($"warning: {text}");

    /// <summary>Writes a status line to standard error (what the tool is doing now).</summary>
    public void Status(string text) => Error.WriteLine(text);

    /// <summary>Writes a table: bordered in a terminal, aligned plain columns otherwise.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? title = null)
    {
        var materialised = rows.ToList();
        if (_ansi is not null)
        {
            var table = new Table().Border(TableBorder.Rounded);
            if (title is not null) table.Title = new TableTitle(Markup.Escape(title));
            for (int i = 0; i < headers.Count; i++)
            {
                var column = new TableColumn(Markup.Escape(headers[i]));
                var index = i;
                if (materialised.Count > 0 && materialised.All(r => index < r.Count && double.TryParse(r[index], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                    column.RightAligned();
                table.AddColumn(column);
            }
            foreach (var row in materialised) table.AddRow(row.Select(c => Markup.Escape(c)).ToArray());
            _ansi.Write(table);
            return;
        }
        if (title is not null) Out.WriteLine(title);
        foreach (var line in PlainTable.Format(headers, materialised)) Out.WriteLine(line);
    }

    /// <summary>Formats a number the way every table of the tool does (six decimals, invariant culture).</summary>
    public static string Number(double value) => value.ToString("0.000000", CultureInfo.InvariantCulture);
}
