using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>One connection and what it measured.</summary>
internal sealed class Lane(IPEndPoint endpoint, byte[] request) : IDisposable
{
    private readonly HttpConnection _connection = new(endpoint, request);

    public Latencies Latency { get; } = new();

    /// <summary>Latency minus the script's own time, when the response body reports it.</summary>
    public Latencies Overhead { get; } = new();

    public double ScriptMicros { get; private set; }

    public long Errors { get; private set; }

    public long Unexpected { get; private set; }

    public void Dispose() => _connection.Dispose();

    /// <summary>Sends one request, timing it from <paramref name="due"/>.</summary>
    public async Task SendAsync(long due, bool record, int expectedStatus, bool scriptTime)
    {
        try
        {
            var (status, body) = await _connection.SendAsync(CancellationToken.None).ConfigureAwait(false);
            var elapsed = Stopwatch.GetTimestamp() - due;
            if (expectedStatus != 0 && status != expectedStatus)
            {
                Unexpected++;
                return;
            }

            if (!record)
            {
                return;
            }

            Latency.Add(elapsed);
            if (scriptTime)
            {
                var micros = double.TryParse(Encoding.UTF8.GetString(body.Span), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : 0;
                ScriptMicros += micros;
                Overhead.Add(elapsed - (long)(micros * Stopwatch.Frequency / 1_000_000));
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or FormatException)
        {
            Errors++;
        }
    }
}
