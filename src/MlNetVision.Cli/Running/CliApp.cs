using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using MlNetVision.Cli.Evaluate;
using MlNetVision.Cli.LrFind;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Predict;
using MlNetVision.Cli.Train;
using MlNetVision.Native;

namespace MlNetVision.Cli.Running;

/// <summary>
/// The <c>mlnet-vision</c> command tree and its one way out: every failure becomes one <c>error:</c> line and an exit
/// code from <see cref="ExitCode"/>, never a stack trace (set <c>MLNETVISION_DEBUG=1</c> to see one for unexpected
/// failures).
/// </summary>
public sealed class CliApp
{
    /// <summary>The environment variable that adds the stack trace to unexpected failures.</summary>
    public const string DebugVariable = "MLNETVISION_DEBUG";

    private readonly TextWriter _out;
    private readonly TextWriter _err;

    /// <summary>Creates the app over the given writers (the process's standard output and error).</summary>
    public CliApp(TextWriter output, TextWriter error)
    {
        _out = output;
        _err = error;
        Plain = new Option<bool>("--plain")
        {
            Description = "Plain lines instead of live progress and tables (the default when output is redirected or CI is set).",
            Recursive = true,
        };
        Root = new RootCommand("mlnet-vision: fastai's lesson-1 image classification workflow on ML.NET (train, lr-find, evaluate, predict).");
        Root.Options.Add(Plain);
        Root.Subcommands.Add(TrainCommand.Create(this));
        Root.Subcommands.Add(LrFindCommand.Create(this));
        Root.Subcommands.Add(EvaluateCommand.Create(this));
        Root.Subcommands.Add(PredictCommand.Create(this));
    }

    /// <summary>The root command.</summary>
    public RootCommand Root { get; }

    /// <summary>The global <c>--plain</c> option.</summary>
    public Option<bool> Plain { get; }

    /// <summary>The output for a parsed command line (mode from <c>--plain</c>, the terminal and <c>CI</c>).</summary>
    public CliOutput CreateOutput(ParseResult parse) => new(OutputModeDetector.Detect(parse.GetValue(Plain)), _out, _err);

    /// <summary>
    /// Makes <paramref name="command"/> run <paramref name="run"/> with the settings that <paramref name="settings"/> reads
    /// from the parse result (throwing <see cref="CliException"/> for combinations that do not go together) and an output
    /// for that command line.
    /// </summary>
    public void SetRunner<TSettings>(Command command, Func<ParseResult, TSettings> settings, Func<TSettings, CliOutput, CancellationToken, ExitCode> run) =>
        command.SetAction((parse, token) => Task.FromResult((int)run(settings(parse), CreateOutput(parse), token)));

    /// <summary>Parses and runs a command line; returns the exit code.</summary>
    public async Task<int> RunAsync(string[] args)
    {
        ParseResult parse;
        try
        {
            parse = Root.Parse(args);
        }
        catch (Exception e)
        {
            return (int)Report(e, false);
        }
        if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is not HelpAction))
        {
            var messages = parse.Errors.Select(e => e.Message).Distinct().ToList();
            // "Required command was not provided" adds nothing next to "Unrecognized command or argument 'x'".
            if (messages.Count > 1) messages = messages.Where(m => !m.StartsWith("Required command", StringComparison.Ordinal)).ToList();
            foreach (var message in messages) _err.WriteLine($"error: {message}");
            var command = string.Join(' ', CommandPath(parse.CommandResult.Command));
            _err.WriteLine($"Run '{command} --help' for usage.");
            return (int)ExitCode.UsageError;
        }
        using var signals = new TerminationSignals(_err);
        try
        {
            var config = new InvocationConfiguration { Output = _out, Error = _err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(config, signals.Token);
        }
        catch (Exception e)
        {
            return (int)Report(e, signals.StopRequested);
        }
    }

    private ExitCode Report(Exception e, bool stopRequested)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerException!;
        switch (e)
        {
            case CliException cli:
                _err.WriteLine($"error: {cli.Message}");
                return cli.ExitCode;
            case OperationCanceledException when stopRequested:
                _err.WriteLine("Stopped.");
                return ExitCode.Cancelled;
            case NativeBackendException native:
                _err.WriteLine($"error: {native.Message}");
                return ExitCode.InternalError;
            case OutOfMemoryException:
                _err.WriteLine("error: out of memory. Try a smaller batch size (--bs) or image size (--size).");
                return ExitCode.TrainingFailed;
            default:
                _err.WriteLine($"error: unexpected failure ({e.GetType().Name}): {FirstLine(e.Message)}");
                if (IsDebug()) _err.WriteLine(e.ToString());
                else _err.WriteLine($"Set {DebugVariable}=1 to see the details.");
                return ExitCode.InternalError;
        }
    }

    private static bool IsDebug() => Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 } v && v != "0";

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n');
        return (i < 0 ? message : message[..i]).Trim();
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is not null; s = s.Parents.FirstOrDefault())
            names.Insert(0, s is RootCommand ? "mlnet-vision" : s.Name);
        return names;
    }
}
