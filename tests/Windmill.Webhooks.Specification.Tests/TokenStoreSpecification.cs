using Windmill.Webhooks.Tokens;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="ITokenStore"/> must do. Inherit it and implement <see cref="CreateStoreAsync"/>;
/// each test gets a fresh, empty store.
/// </summary>
public abstract class TokenStoreSpecification
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<ITokenStore> CreateStoreAsync();

    /// <summary>A token for the tests; <paramref name="seed"/> makes its hash and prefix unique.</summary>
    protected static ApiToken Token(int seed, string owner = "alice", int minutes = 0) => new()
    {
        TokenHash = seed.ToString("x64", System.Globalization.CultureInfo.InvariantCulture),
        Prefix = seed.ToString("D10", System.Globalization.CultureInfo.InvariantCulture),
        Owner = owner,
        Label = "label " + seed,
        WorkspaceId = "demo",
        Scopes = ["jobs:run:scripts:u/alice/hello", "jobs:read"],
        Expiration = Epoch.AddDays(30),
        CreatedAt = Epoch.AddMinutes(minutes),
        LastUsedAt = Epoch.AddMinutes(minutes),
        SuperAdmin = seed % 2 == 0,
        ReadOnly = seed % 3 == 0,
    };

    [Fact]
    public async Task Created_token_is_found_by_hash_with_every_field()
    {
        var store = await CreateStoreAsync();
        var token = Token(6);

        await store.CreateAsync(token, CancellationToken.None);
        var found = await store.FindByHashAsync(token.TokenHash, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(token.TokenHash, found.TokenHash);
        Assert.Equal(token.Prefix, found.Prefix);
        Assert.Equal(token.Owner, found.Owner);
        Assert.Equal(token.Label, found.Label);
        Assert.Equal(token.WorkspaceId, found.WorkspaceId);
        Assert.Equal(token.Scopes, found.Scopes);
        Assert.Equal(token.Expiration, found.Expiration);
        Assert.Equal(token.CreatedAt, found.CreatedAt);
        Assert.Equal(token.LastUsedAt, found.LastUsedAt);
        Assert.True(found.SuperAdmin);
        Assert.True(found.ReadOnly);
    }

    [Fact]
    public async Task Optional_fields_round_trip_as_null()
    {
        var store = await CreateStoreAsync();
        var token = Token(1) with { Label = null, WorkspaceId = null, Scopes = null, Expiration = null };

        await store.CreateAsync(token, CancellationToken.None);
        var found = await store.FindByHashAsync(token.TokenHash, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Null(found.Label);
        Assert.Null(found.WorkspaceId);
        Assert.Null(found.Scopes);
        Assert.Null(found.Expiration);
    }

    [Fact]
    public async Task Unknown_hash_is_null()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Token(1), CancellationToken.None);

        Assert.Null(await store.FindByHashAsync(Token(2).TokenHash, CancellationToken.None));
    }

    [Fact]
    public async Task Duplicate_hash_or_prefix_is_refused()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Token(1), CancellationToken.None);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await store.CreateAsync(Token(1) with { Prefix = "other12345" }, CancellationToken.None));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await store.CreateAsync(Token(2) with { Prefix = Token(1).Prefix }, CancellationToken.None));
    }

    [Fact]
    public async Task List_by_owner_returns_only_that_owners_tokens_newest_first()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Token(1, minutes: 0), CancellationToken.None);
        await store.CreateAsync(Token(2, minutes: 2), CancellationToken.None);
        await store.CreateAsync(Token(3, owner: "bob", minutes: 1), CancellationToken.None);

        var listed = await store.ListAsync("alice", CancellationToken.None).ToListAsync();
        var everyone = await store.ListAsync(null, CancellationToken.None).ToListAsync();

        Assert.Equal([Token(2).Prefix, Token(1).Prefix], listed.Select(t => t.Prefix));
        Assert.Equal([Token(2).Prefix, Token(3).Prefix, Token(1).Prefix], everyone.Select(t => t.Prefix));
    }

    [Fact]
    public async Task Find_by_prefix_is_exact()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Token(12), CancellationToken.None);

        Assert.Equal(Token(12).TokenHash, (await store.FindByPrefixAsync(Token(12).Prefix, CancellationToken.None))?.TokenHash);
        Assert.Null(await store.FindByPrefixAsync(Token(12).Prefix[..9], CancellationToken.None));
    }

    [Fact]
    public async Task Update_replaces_label_scopes_and_read_only_and_nothing_else()
    {
        var store = await CreateStoreAsync();
        var token = Token(1);
        await store.CreateAsync(token, CancellationToken.None);

        var updated = await store.UpdateAsync(token with { Label = "renamed", Scopes = ["jobs:read"], ReadOnly = false, Owner = "mallory", SuperAdmin = false },
            CancellationToken.None);
        var missing = await store.UpdateAsync(Token(2), CancellationToken.None);

        var found = await store.FindByHashAsync(token.TokenHash, CancellationToken.None);
        Assert.True(updated);
        Assert.False(missing);
        Assert.Equal("renamed", found?.Label);
        Assert.Equal(["jobs:read"], found?.Scopes);
        Assert.False(found?.ReadOnly);
        Assert.Equal("alice", found?.Owner);
        Assert.Equal(token.SuperAdmin, found?.SuperAdmin);
        Assert.Null(await store.FindByHashAsync(Token(2).TokenHash, CancellationToken.None));
    }

    [Fact]
    public async Task Delete_by_prefix_removes_only_the_owners_token()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Token(1), CancellationToken.None);
        await store.CreateAsync(Token(2, owner: "bob"), CancellationToken.None);

        Assert.Equal(0, await store.DeleteByPrefixAsync("alice", Token(2).Prefix, CancellationToken.None));
        Assert.Equal(1, await store.DeleteByPrefixAsync("alice", Token(1).Prefix, CancellationToken.None));
        Assert.Equal(0, await store.DeleteByPrefixAsync("alice", Token(1).Prefix, CancellationToken.None));

        Assert.Null(await store.FindByHashAsync(Token(1).TokenHash, CancellationToken.None));
        Assert.NotNull(await store.FindByHashAsync(Token(2).TokenHash, CancellationToken.None));
    }

    [Fact]
    public async Task Touch_moves_last_used_forward_only()
    {
        var store = await CreateStoreAsync();
        var token = Token(1);
        await store.CreateAsync(token, CancellationToken.None);

        await store.TouchAsync(token.TokenHash, Epoch.AddHours(2), CancellationToken.None);
        await store.TouchAsync(token.TokenHash, Epoch.AddHours(1), CancellationToken.None);

        Assert.Equal(Epoch.AddHours(2), (await store.FindByHashAsync(token.TokenHash, CancellationToken.None))?.LastUsedAt);
    }
}
