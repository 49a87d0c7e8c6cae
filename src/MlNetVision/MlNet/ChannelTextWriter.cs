using System.Text;
using Microsoft.ML.Runtime;

namespace MlNetVision.MlNet;

/// <summary>A <see cref="TextWriter"/> that sends each line to an ML.NET channel as a warning (the data loader's skip summary goes to <c>mlContext.Log</c> this way).</summary>
internal sealed class ChannelTextWriter(IChannel channel, TextWriter? alsoTo) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        alsoTo?.Write(value);
        if (value == '\n') Flush();
        else if (value != '\r') _line.Append(value);
    }

    public override void Flush()
    {
        if (_line.Length > 0) channel.Warning(MessageSensitivity.UserData, _line.ToString());
        _line.Clear();
        alsoTo?.Flush();
    }
}
