using System.Net;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>A token's <c>expiration</c> is an RFC 3339 instant: anything else gets 400 and writes nothing (issue 9, hole 8).</summary>
public sealed class TokenExpirationTests : IAsyncLifetime
{
    private const string Text = "text/plain; charset=utf-8";
    private TokenApiHost _host = null!;

    private HttpClient Client => _host.Client;

    public async ValueTask InitializeAsync() => _host = await TokenApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("\"garbage\"")]
    [InlineData("\"\"")]
    [InlineData("\"2026-13-45T00:00:00Z\"")]
    [InlineData("\"+275760-09-13T00:00:00Z\"")]
    [InlineData("\"2027-01-01\"")]
    [InlineData("\"2027-01-01T00:00:00\"")]
    [InlineData("\"9999-12-31T23:59:59-01:00\"")]
    [InlineData("1798761600")]
    public async Task An_expiration_that_is_not_an_RFC_3339_instant_gets_400_and_writes_nothing(string expiration)
    {
        var answer = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", TokenApiHost.AdminToken,
            $$"""{"label":"ci","expiration":{{expiration}}}""");

        Assert.Equal((HttpStatusCode.BadRequest, Text, "Bad request: invalid json: input is not an RFC 3339 date-time with an offset"), answer);
        Assert.Empty(await _host.StoredTokensAsync());
        Assert.Empty(await _host.TokenAuditAsync());
    }

    [Theory]
    [InlineData("2027-01-01T00:00:00.123456789+23:59", "2026-12-31T00:01:00.123456Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999999Z")]
    [InlineData("2027-01-01t00:00:00z", "2027-01-01T00:00:00.000000Z")]
    public async Task An_RFC_3339_expiration_is_kept_in_UTC(string expiration, string listed)
    {
        var created = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", TokenApiHost.AdminToken,
            $$"""{"label":"ci","expiration":"{{expiration}}"}""");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Contains($"\"expiration\":\"{listed}\"", (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", created.Body)).Body, StringComparison.Ordinal);
    }
}
