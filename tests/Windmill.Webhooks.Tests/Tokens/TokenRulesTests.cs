using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests.Tokens;

/// <summary>Windmill's rules for tokens created, changed and deleted through the token API.</summary>
public sealed class TokenRulesTests
{
    private static readonly Caller Alice = new("alice");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryTokenStore _store = new();
    private readonly InMemoryAuditSink _audit = new();
    private readonly TokenService _tokens;

    public TokenRulesTests() =>
        _tokens = new TokenService(_store, _audit, _time, Options.Create(new WindmillWebhooksOptions()), NullLogger<TokenService>.Instance);

    private ValueTask<string> CreateAsync(Caller caller, string? label, DateTimeOffset? expiration, IReadOnlyList<string>? scopes, string? workspace,
        bool readOnly) =>
        _tokens.CreateForAsync(caller, new NewTokenRequest
        {
            Owner = caller.Username,
            Label = label,
            Expiration = expiration,
            Scopes = scopes,
            WorkspaceId = workspace,
            ReadOnly = readOnly,
        }, CancellationToken.None);

    [Fact]
    public async Task Created_token_carries_every_field_with_legacy_scopes_rewritten_and_is_audited()
    {
        var token = await CreateAsync(Alice, "ci", _time.GetUtcNow().AddDays(1), ["run:script/u/alice/hello", "jobs:listjobs"], "demo", true);

        var stored = await _tokens.ValidateAsync(token, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(("alice", "ci", "demo", true), (stored.Owner, stored.Label, stored.WorkspaceId, stored.ReadOnly));
        Assert.Equal(["jobs:run:scripts:u/alice/hello", "jobs:read"], stored.Scopes);
        Assert.Equal(_time.GetUtcNow().AddDays(1), stored.Expiration);
        var entry = Assert.Single(await _audit.ListAsync(new AuditQuery { WorkspaceId = "global" }, CancellationToken.None));
        Assert.Equal(("users.token.create", AuditActionKind.Create, "alice", stored.Prefix), (entry.Operation, entry.ActionKind, entry.Username, entry.Resource));
        Assert.DoesNotContain(token, entry.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("session")]
    [InlineData("ephemeral-script")]
    [InlineData("http-trigger")]
    [InlineData("email-x")]
    [InlineData("ws-x")]
    [InlineData("jwt_x")]
    [InlineData("webhook-bob-abcd")]
    [InlineData("webhook-alice-abcde")]
    public async Task Labels_in_reserved_namespaces_are_refused_and_nothing_is_stored(string label)
    {
        var error = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, label, null, [TokenScopes.RunScript("u/alice/hello")], "demo", false));

        Assert.Equal(TokenRequestError.Invalid, error.Error);
        Assert.StartsWith("label is in a reserved namespace", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListAsync(null, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task A_webhook_specific_token_is_accepted_in_its_exact_shape()
    {
        var token = await CreateAsync(Alice, "webhook-alice-x1Ab", null, [TokenScopes.RunScript("u/alice/hello")], "demo", false);

        Assert.Equal("webhook-alice-x1Ab", (await _tokens.ValidateAsync(token, CancellationToken.None))?.Label);
        await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, "webhook-alice-x1Ab", null, [TokenScopes.RunScript("u/alice/hello")], null, false));
        await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, "webhook-alice-x1Ab", null, ["jobs:run"], "demo", false));
    }

    [Theory]
    [InlineData("jobs")]
    [InlineData("jobs:fly")]
    [InlineData("Jobs:read")]
    [InlineData("jobs:run:apps")]
    [InlineData("scripts:run")]
    [InlineData("jobs:read:")]
    [InlineData("jobs:read:a,,b")]
    [InlineData("jobs: read")]
    [InlineData("")]
    public async Task Malformed_scopes_are_refused(string scope)
    {
        var error = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, "ci", null, [scope], null, false));

        Assert.Equal(TokenRequestError.Invalid, error.Error);
        Assert.Equal("invalid scope: " + scope, error.Message);
    }

    [Fact]
    public async Task Past_expiration_and_oversized_label_are_refused()
    {
        var past = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, "ci", _time.GetUtcNow(), null, null, false));
        var long_ = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(Alice, new string('x', 256), null, null, null, false));

        Assert.Equal("expiration is in the past", past.Message);
        Assert.Equal("label is longer than 255 characters", long_.Message);
        Assert.Empty(await _store.ListAsync(null, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task A_scoped_caller_may_mint_only_narrower_tokens()
    {
        var scoped = Alice with { Scopes = ["jobs:run:scripts:f/team/*", "jobs:read"] };

        await CreateAsync(scoped, null, null, ["jobs:run:scripts:f/team/etl"], null, false);
        await CreateAsync(scoped, null, null, ["jobs:read", "jobs:run:scripts:f/team/a,f/team/b"], null, false);
        var wider = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(scoped, null, null, ["jobs:run"], null, false));
        var unscoped = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await CreateAsync(scoped, null, null, null, null, false));

        Assert.Equal(TokenRequestError.Forbidden, wider.Error);
        Assert.Equal(TokenRequestError.Forbidden, unscoped.Error);
    }

    [Fact]
    public async Task Deleting_a_token_stops_it_at_once_even_when_cached()
    {
        var token = await CreateAsync(Alice, "ci", null, null, null, false);
        var prefix = (await _tokens.ValidateAsync(token, CancellationToken.None))!.Prefix;

        var deleted = await _tokens.DeleteAsync(Alice, "alice", prefix, CancellationToken.None);

        Assert.Equal([prefix], deleted);
        Assert.Null(await _tokens.ValidateAsync(token, CancellationToken.None));
        Assert.Empty(await _tokens.DeleteAsync(Alice, "alice", prefix, CancellationToken.None));
        Assert.Contains(await _audit.ListAsync(new AuditQuery { WorkspaceId = "global" }, CancellationToken.None),
            e => e.Operation == "users.token.delete" && e.Resource == prefix);
    }

    [Fact]
    public async Task Updating_scopes_takes_effect_at_once_and_unknown_prefixes_are_not_found()
    {
        var token = await CreateAsync(Alice, "ci", null, null, null, false);
        var prefix = (await _tokens.ValidateAsync(token, CancellationToken.None))!.Prefix;

        await _tokens.UpdateScopesAsync(Alice, "alice", prefix, ["jobs:read"], CancellationToken.None);
        await _tokens.UpdateLabelAsync(Alice, "alice", prefix, "renamed", CancellationToken.None);
        var missing = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await _tokens.UpdateLabelAsync(Alice, "alice", "0000000000", "x", CancellationToken.None));

        var current = await _tokens.ValidateAsync(token, CancellationToken.None);
        Assert.Equal(["jobs:read"], current?.Scopes);
        Assert.Equal("renamed", current?.Label);
        Assert.Equal(TokenRequestError.NotFound, missing.Error);
    }

    [Fact]
    public async Task Only_a_superadmin_manages_another_users_tokens()
    {
        var token = await CreateAsync(new Caller("bob"), "bobs", null, null, null, false);
        var prefix = (await _tokens.ValidateAsync(token, CancellationToken.None))!.Prefix;

        var refused = await Assert.ThrowsAsync<TokenRequestException>(async () => await _tokens.DeleteAsync(Alice, "bob", prefix, CancellationToken.None));
        var scoped = await Assert.ThrowsAsync<TokenRequestException>(async () =>
            await _tokens.DeleteAsync(new Caller("root") { IsSuperAdmin = true, Scopes = ["users:write"] }, "bob", prefix, CancellationToken.None));
        var deleted = await _tokens.DeleteAsync(new Caller("root") { IsSuperAdmin = true }, "bob", prefix, CancellationToken.None);

        Assert.Equal((TokenRequestError.Forbidden, TokenRequestError.Forbidden), (refused.Error, scoped.Error));
        Assert.Equal([prefix], deleted);
    }

    [Fact]
    public async Task Last_used_is_kept_in_memory_and_written_in_one_flush()
    {
        var token = await CreateAsync(Alice, "ci", null, null, null, false);
        var hash = TokenService.Hash(token);
        var created = (await _store.FindByHashAsync(hash, CancellationToken.None))!.LastUsedAt;

        _time.Advance(TimeSpan.FromMinutes(5));
        await _tokens.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(created, (await _store.FindByHashAsync(hash, CancellationToken.None))!.LastUsedAt);
        Assert.Equal(_time.GetUtcNow(), (await _tokens.ListAsync(Alice, "alice", CancellationToken.None).SingleAsync()).LastUsedAt);
        await _tokens.FlushUsageAsync(CancellationToken.None);
        Assert.Equal(_time.GetUtcNow(), (await _store.FindByHashAsync(hash, CancellationToken.None))!.LastUsedAt);
    }

    [Fact]
    public async Task Webhook_tokens_of_a_script_are_listed_for_their_owner_and_for_admins()
    {
        await CreateAsync(Alice, "webhook-alice-abcd", null, [TokenScopes.RunScript("u/alice/hello")], "demo", false);
        await CreateAsync(new Caller("bob"), "webhook-bob-wxyz", null, [TokenScopes.RunScript("u/alice/hello")], "demo", false);
        await CreateAsync(Alice, "other", null, [TokenScopes.RunScript("u/alice/other")], "demo", false);

        var own = await _tokens.ListForRunnableAsync(Alice, "demo", TokenScopes.RunScript("u/alice/hello"), CancellationToken.None).ToListAsync();
        var all = await _tokens.ListForRunnableAsync(Alice with { IsAdmin = true }, "demo", TokenScopes.RunScript("u/alice/hello"), CancellationToken.None)
            .ToListAsync();
        var elsewhere = await _tokens.ListForRunnableAsync(Alice, "ops", TokenScopes.RunScript("u/alice/hello"), CancellationToken.None).ToListAsync();

        Assert.Equal(["webhook-alice-abcd"], own.Select(t => t.Label));
        Assert.Equal(["webhook-alice-abcd", "webhook-bob-wxyz"], all.Select(t => t.Label).Order());
        Assert.Empty(elsewhere);
    }
}
