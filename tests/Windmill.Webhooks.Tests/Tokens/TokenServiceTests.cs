using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests.Tokens;

public sealed class TokenServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryTokenStore _store = new();
    private readonly InMemoryAuditSink _audit = new();

    [Fact]
    public async Task A_minted_token_is_32_alphanumerics_and_only_its_hash_and_prefix_are_stored()
    {
        var (token, stored) = await Service().CreateAsync(new NewTokenRequest { Owner = "alice", Label = "ci" }, CancellationToken.None);

        Assert.Matches("^[A-Za-z0-9]{32}$", token);
        Assert.Equal(token[..10], stored.Prefix);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored.TokenHash);
        var persisted = await _store.FindByHashAsync(stored.TokenHash, CancellationToken.None);
        Assert.NotNull(persisted);
        Assert.DoesNotContain(token, string.Join("|", persisted.TokenHash, persisted.Prefix, persisted.Owner, persisted.Label), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_minted_tokens_differ()
    {
        var service = Service();

        var first = await service.CreateAsync(new NewTokenRequest { Owner = "alice" }, CancellationToken.None);
        var second = await service.CreateAsync(new NewTokenRequest { Owner = "alice" }, CancellationToken.None);

        Assert.NotEqual(first.Token, second.Token);
    }

    [Fact]
    public async Task A_valid_token_resolves_to_its_record()
    {
        var service = Service();
        var (token, _) = await service.CreateAsync(new NewTokenRequest { Owner = "alice", WorkspaceId = "demo" }, CancellationToken.None);

        var validated = await service.ValidateAsync(token, CancellationToken.None);

        Assert.Equal("alice", validated?.Owner);
        Assert.Equal("demo", validated?.WorkspaceId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknownunknownunknownunknown1234")]
    [InlineData("not a token at all")]
    public async Task Unknown_or_malformed_tokens_are_rejected(string? presented) =>
        Assert.Null(await Service().ValidateAsync(presented, CancellationToken.None));

    [Fact]
    public async Task Oversized_input_is_rejected_without_a_lookup()
    {
        Assert.Null(await Service().ValidateAsync(new string('a', TokenService.MaxPresentedLength + 1), CancellationToken.None));
    }

    [Fact]
    public async Task A_token_stops_working_at_its_expiration()
    {
        var service = Service();
        var (token, _) = await service.CreateAsync(new NewTokenRequest { Owner = "alice", Expiration = _time.GetUtcNow().AddHours(1) }, CancellationToken.None);

        Assert.NotNull(await service.ValidateAsync(token, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await service.ValidateAsync(token, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await service.ValidateAsync(token, CancellationToken.None));
    }

    [Fact]
    public async Task The_configured_admin_token_is_a_superadmin_for_admin_and_is_not_stored()
    {
        var service = Service(adminToken: "my-admin-secret");

        var admin = await service.ValidateAsync("my-admin-secret", CancellationToken.None);

        Assert.NotNull(admin);
        Assert.Equal("admin", admin.Owner);
        Assert.True(admin.SuperAdmin);
        Assert.Empty(await _store.ListAsync("admin", CancellationToken.None).ToListAsync());
        Assert.Null(await service.ValidateAsync("my-admin-secreT", CancellationToken.None));
    }

    private TokenService Service(string? adminToken = null) =>
        new(_store, _audit, _time, Options.Create(new WindmillWebhooksOptions { AdminToken = adminToken }), NullLogger<TokenService>.Instance);
}
