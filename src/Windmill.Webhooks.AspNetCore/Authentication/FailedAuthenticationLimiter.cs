using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Endpoints;
using Windmill.Webhooks.Diagnostics;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>
/// Counts, per client address and in fixed windows, the failed token checks that Windmill's routes refuse; in
/// memory only, so a failure costs no database write. Past the limit, the address's unknown tokens get 429 until
/// its window ends and its store lookups pass one at a time. A valid token is never refused for it: tokens known
/// from memory skip the gate, and one found by the gated lookup is served, so one caller's failures never lock
/// out another behind the same proxy or NAT.
/// </summary>
/// <remarks>
/// The address is <see cref="ConnectionInfo.RemoteIpAddress"/>, which the host's <c>ForwardedHeaders</c> middleware
/// sets from <c>X-Forwarded-For</c> when it trusts the proxy; forwarded headers are never read here.
/// </remarks>
internal sealed class FailedAuthenticationLimiter(TimeProvider time, IOptionsMonitor<WindmillTokenAuthenticationOptions> options, WindmillMetrics metrics)
    : IDisposable
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    // One gate for every address over the limit: together they cannot hammer the store, and a valid token among them still gets its turn.
    private readonly SemaphoreSlim _overLimitLookups = new(1, 1);

    /// <summary>Runs <paramref name="lookUp"/> at once, or through the gate when <paramref name="address"/> is over the limit.</summary>
    public async ValueTask<T> LookUpAsync<T>(IPAddress? address, Func<ValueTask<T>> lookUp, CancellationToken cancellationToken)
    {
        if (RetryAfter(address) is null)
        {
            return await lookUp().ConfigureAwait(false);
        }

        await _overLimitLookups.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await lookUp().ConfigureAwait(false);
        }
        finally
        {
            _overLimitLookups.Release();
        }
    }

    /// <summary>
    /// For a request whose token failed the check: 429 with <c>Retry-After</c> while its address is over the limit;
    /// otherwise <see langword="null"/> (the caller answers as usual), with the failure counted if the request is for
    /// one of Windmill's routes. Failures elsewhere (a host page or a 404 authenticated with the default scheme) never count.
    /// </summary>
    public IResult? Refuse(HttpContext context)
    {
        if (context.Features.Get<FailedTokenFeature>() is null)
        {
            return null;
        }

        var address = context.Connection.RemoteIpAddress;
        if (RetryAfter(address) is { } wait)
        {
            metrics.RateLimited("failed_authentications");
            return WindmillErrors.TooManyFailedAttempts(context, wait);
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<WindmillRouteMetadata>() is not null)
        {
            metrics.AuthenticationFailed("refused_token");
            RecordFailure(address);
        }

        return null;
    }

    public void Dispose() => _overLimitLookups.Dispose();

    private TimeSpan? RetryAfter(IPAddress? address)
    {
        var settings = options.Get(WindmillTokenDefaults.AuthenticationScheme);
        if (address is null || settings.MaxFailedAttempts <= 0 || !_windows.TryGetValue(address, out var window))
        {
            return null;
        }

        var left = window.Start + settings.FailedAttemptWindow - time.GetUtcNow();
        return window.Failures >= settings.MaxFailedAttempts && left > TimeSpan.Zero ? left : null;
    }

    private void RecordFailure(IPAddress? address)
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

/// <summary>Set on a request whose token failed the check; <see cref="FailedAuthenticationLimiter.Refuse"/> reads it.</summary>
internal sealed class FailedTokenFeature
{
    public static readonly FailedTokenFeature Instance = new();
}

/// <summary>Marks the endpoints that <c>MapWindmillWebhooks</c> maps: only their refusals count toward the limit.</summary>
internal sealed class WindmillRouteMetadata
{
    public static readonly WindmillRouteMetadata Instance = new();
}
