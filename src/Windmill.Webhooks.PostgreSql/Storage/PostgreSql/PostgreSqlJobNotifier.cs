using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The <see cref="IJobNotifier"/> of runners that share a PostgreSQL database, over LISTEN/NOTIFY on one channel per schema.
/// A notification is delivered in process at once (with the job, when the publisher has it), then sent to the other processes
/// (batched: what is published while a NOTIFY is in flight goes in the next one, and "a job is ready" once per batch). Signals
/// are hints: a lost one (the listener reconnecting, the server restarting) is covered by each runner's heartbeat, and the
/// listener announces "ready" to its own runner after every reconnect.
/// </summary>
public sealed partial class PostgreSqlJobNotifier : IJobNotifier, IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(15);
    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgreSqlJobNotifier> _logger;
    private Action<JobNotification>[] _listeners = [];
    private readonly string _sender = Guid.NewGuid().ToString("N");
    private readonly Channel<string> _outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _listening;
    private Task? _sending;
    private int _disposed;

    /// <summary>Creates the notifier; it starts listening when the first runner subscribes.</summary>
    public PostgreSqlJobNotifier(PostgreSqlDatabase database, TimeProvider time, ILogger<PostgreSqlJobNotifier> logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes when the listener has subscribed to the channel (once connected); for tests and start-up ordering.</summary>
    internal TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public ValueTask PublishAsync(JobNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        Deliver(notification);
        StartSending();
        _outgoing.Writer.TryWrite(Encode(notification));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<JobNotification> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
            _listening ??= Task.Run(() => ListenAsync(_stopping.Token), CancellationToken.None);
        }

        return new Subscription(this, listener);
    }

    /// <summary>Stops listening and sending.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container disposes it once as itself and once as the IJobNotifier it also is.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { _listening, _sending })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stopping.Dispose();
    }

    private void StartSending()
    {
        if (_sending is null)
        {
            lock (_lock)
            {
                _sending ??= Task.Run(() => SendAsync(_stopping.Token), CancellationToken.None);
            }
        }
    }

    private async Task SendAsync(CancellationToken stopping)
    {
        var reader = _outgoing.Reader;
        var batch = new List<string>();
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                var ready = false;
                while (batch.Count < 1000 && reader.TryRead(out var payload))
                {
                    // "Some job is ready" says the same thing however often it is said: once per batch is enough.
                    if (IsReady(payload))
                    {
                        if (ready)
                        {
                            continue;
                        }

                        ready = true;
                    }

                    batch.Add(payload);
                }

                try
                {
                    var connection = await _database.OpenRawAsync(stopping).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        await using var notify = connection.Command("SELECT pg_notify(@channel, p) FROM unnest(@payloads) AS p", null,
                            ("channel", _database.Channel), ("payloads", batch.ToArray()));
                        await notify.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is StorageUnavailableException or NpgsqlException)
                {
                    // Lost hints: the other processes find these changes at their next heartbeat.
                    Log.SendFailed(_logger, e, batch.Count);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var connection = await _database.OpenRawAsync(stopping).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await using (var listen = connection.Command($"LISTEN {_database.Channel}", null))
                    {
                        await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }

                    Log.Listening(_logger, _database.Channel);
                    Listening.TrySetResult();

                    // Whatever was signalled while this process was not listening: claim what is due now.
                    Deliver(new JobNotification(JobNotificationKind.Ready, Guid.Empty));
                    while (!stopping.IsCancellationRequested)
                    {
                        if (!await connection.WaitAsync(IdleCheck, stopping).ConfigureAwait(false))
                        {
                            // Quiet for a while: make sure the connection is still alive (a silent network drop raises nothing).
                            await using var ping = connection.Command("SELECT 1", null);
                            await ping.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The listener outlives any failure of the server or the network: it reconnects.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ListenFailed(_logger, e, ReconnectDelay);
                try
                {
                    await Task.Delay(ReconnectDelay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (Decode(e.Payload) is { } notification)
        {
            Deliver(notification);
        }
    }

    // sender|kind|job id|key: the sender is dropped on receipt (this process delivered its own at once).
    private string Encode(JobNotification notification) =>
        string.Join('|', _sender, ((int)notification.Kind).ToString(CultureInfo.InvariantCulture), notification.JobId.ToString("N"), notification.Key);

    private static bool IsReady(string payload) =>
        payload.AsSpan(33).StartsWith(((int)JobNotificationKind.Ready).ToString(CultureInfo.InvariantCulture) + "|", StringComparison.Ordinal);

    private JobNotification? Decode(string payload)
    {
        var parts = payload.Split('|', 4);
        if (parts.Length != 4 || parts[0] == _sender
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kind) || !Enum.IsDefined((JobNotificationKind)kind)
            || !Guid.TryParseExact(parts[2], "N", out var id))
        {
            return null; // our own, or from a newer release that says something this one does not know
        }

        return new JobNotification((JobNotificationKind)kind, id) { Key = parts[3].Length == 0 ? null : parts[3] };
    }

    private void Deliver(JobNotification notification)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener(notification);
        }
    }

    private void Unsubscribe(Action<JobNotification> listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
        }
    }

    private sealed class Subscription(PostgreSqlJobNotifier notifier, Action<JobNotification> listener) : IDisposable
    {
        public void Dispose() => notifier.Unsubscribe(listener);
    }
}
