using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>
/// Counts failed token checks per client address in fixed windows, in memory only (a failure costs no
/// database write). Past the limit, the address is refused until its window ends.
/// </summary>
internal sealed class FailedAuthenticationLimiter(TimeProvider time, IOptionsMonitor<WindmillTokenAuthenticationOptions> options)
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    /// <summary>How long <paramref name="address"/> must wait, or <see langword="null"/> if it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        var settings = options.Get(WindmillTokenDefaults.AuthenticationScheme);
        if (address is null || settings.MaxFailedAttempts <= 0 || !_windows.TryGetValue(address, out var window))
        {
            return null;
        }

        var left = window.Start + settings.FailedAttemptWindow - time.GetUtcNow();
        return window.Failures >= settings.MaxFailedAttempts && left > TimeSpan.Zero ? left : null;
    }

    public void RecordFailure(IPAddress? address)
    {
        var settings = options.Get(WindmillTokenDefaults.AuthenticationScheme);
        if (address is null || settings.MaxFailedAttempts <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_windows.Count > MaxTrackedAddresses)
        {
            foreach (var (key, stale) in _windows.Where(w => now - w.Value.Start >= settings.FailedAttemptWindow).ToList())
            {
                _windows.TryRemove(new KeyValuePair<IPAddress, Window>(key, stale));
            }
        }

        _windows.AddOrUpdate(address, _ => new Window(now, 1),
            (_, window) => now - window.Start >= settings.FailedAttemptWindow ? new Window(now, 1) : window with { Failures = window.Failures + 1 });
    }

    private sealed record Window(DateTimeOffset Start, int Failures);
}

/// <summary>Set on a request refused because its address failed too often; read when answering it.</summary>
internal sealed record FailedAuthenticationLimitFeature(TimeSpan RetryAfter);
