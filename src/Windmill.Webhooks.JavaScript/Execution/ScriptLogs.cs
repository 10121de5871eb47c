using System.Text;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>What a script wrote to its console, as Windmill keeps it: the lines as written, the last 20,000 characters.</summary>
internal sealed class ScriptLogs
{
    private const int MaxLength = 20_000;

    private readonly StringBuilder _text = new();

    public string? Text => _text.Length == 0 ? null : _text.ToString();

    public void WriteLine(string line)
    {
        _text.Append(line).Append('\n');
        if (_text.Length > MaxLength)
        {
            _text.Remove(0, _text.Length - MaxLength);
        }
    }
}
