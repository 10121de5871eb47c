using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.AspNetCore.Authentication;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>The gate that keeps addresses over the limit from hammering the token store (the wire behaviour is in <see cref="FailedAuthenticationTests"/>).</summary>
public sealed class FailedAuthenticationLimiterTests
{
    private static readonly IPAddress Limited = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.0.2");

    [Fact]
    public async Task Store_lookups_of_an_address_over_the_limit_pass_one_at_a_time_while_other_addresses_go_straight_through()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddWindmillWebhooks().UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredService<FailedAuthenticationLimiter>();
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(limiter.Refuse(FailedOnAWindmillRoute(Limited)));
        }

        var firstLookup = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = false;
        var first = limiter.LookUpAsync(Limited, () => new ValueTask<bool>(firstLookup.Task), CancellationToken.None).AsTask();
        var second = limiter.LookUpAsync(Limited, () =>
        {
            secondStarted = true;
            return ValueTask.FromResult(true);
        }, CancellationToken.None).AsTask();
        var elsewhere = limiter.LookUpAsync(Other, () => ValueTask.FromResult(true), CancellationToken.None).AsTask();

        Assert.NotNull(limiter.Refuse(FailedOnAWindmillRoute(Limited)));
        Assert.True(elsewhere.IsCompletedSuccessfully);
        Assert.False(secondStarted);
        firstLookup.SetResult(true);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(secondStarted);
    }

    private static DefaultHttpContext FailedOnAWindmillRoute(IPAddress address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = address;
        context.Features.Set(FailedTokenFeature.Instance);
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(WindmillRouteMetadata.Instance), "a Windmill route"));
        return context;
    }
}
