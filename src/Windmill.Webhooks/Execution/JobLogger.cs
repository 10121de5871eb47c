using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Execution;

/// <summary>Forwards to the host's logger and keeps the lines as the job's <c>logs</c>.</summary>
internal sealed class JobLogger : ILogger
{
    // Windmill keeps the last 20 000 characters of a job's logs.
    private const int MaxLength = 20_000;

    private readonly ILogger _inner;
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public JobLogger(ILogger inner) => _inner = inner;

    public string? Text
    {
        get
        {
            lock (_lock)
            {
                return _text.Length == 0 ? null : _text.ToString();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _inner.Log(logLevel, eventId, state, exception, formatter);
        var line = string.Create(CultureInfo.InvariantCulture, $"[{logLevel}] {formatter(state, exception)}\n");
        lock (_lock)
        {
            _text.Append(line);
            if (_text.Length > MaxLength)
            {
                _text.Remove(0, _text.Length - MaxLength);
            }
        }
    }
}
