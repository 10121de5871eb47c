using Windmill.Webhooks.Idempotency;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IIdempotencyStore"/> must do. Inherit it and implement <see cref="CreateStoreAsync"/>, returning
/// an empty store; a store that processes share overrides <see cref="OpenAnotherAsync"/> too. Every time is explicit
/// (whole seconds): nothing waits for a clock.
/// </summary>
public abstract class IdempotencyStoreSpecification
{
    private static readonly DateTimeOffset Now = new(2025, 1, 31, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    // When the records created at the facts' start have expired.
    private static readonly DateTimeOffset AfterLifetime = Now + Lifetime + TimeSpan.FromSeconds(1);

    /// <summary>Creates an empty store. Called once per fact.</summary>
    protected abstract Task<IIdempotencyStore> CreateStoreAsync();

    /// <summary>
    /// Another handle on <paramref name="store"/>'s storage, as a second process sharing it would open it. By default
    /// <paramref name="store"/> itself, for a store that lives in one process.
    /// </summary>
    protected virtual Task<IIdempotencyStore> OpenAnotherAsync(IIdempotencyStore store) => Task.FromResult(store);

    [Fact]
    public async Task The_first_claim_of_a_key_stores_its_record()
    {
        var store = await CreateStoreAsync();
        var record = Record("k", "first");

        Assert.Equal(new ClaimedIdempotencyKey(record, Inserted: true), await ClaimAsync(store, record));
    }

    [Fact]
    public async Task A_second_claim_of_a_held_key_gets_the_held_record_with_every_field_and_stores_nothing()
    {
        var (store, held) = await CreateStoreHoldingAsync();

        var second = await ClaimAsync(store, Record("k", "second") with { CreatedAt = Now.AddMinutes(1) }, at: Now.AddMinutes(1));

        Assert.Equal(new ClaimedIdempotencyKey(held, Inserted: false), second);
        await AssertHeldAsync(store, held, at: Now.AddMinutes(2));
    }

    [Fact]
    public async Task Another_owner_or_workspace_or_key_is_another_key()
    {
        var (store, held) = await CreateStoreHoldingAsync();

        IdempotencyRecord[] others =
        [
            Record("k", "bob's") with { Owner = "bob" },
            Record("k", "ops'") with { Workspace = "ops" },
            Record("K", "upper case"),
            Record("ek", "owner and key run together") with { Owner = "alic" },
        ];
        foreach (var other in others)
        {
            Assert.Equal(new ClaimedIdempotencyKey(other, Inserted: true), await ClaimAsync(store, other));
        }

        await AssertHeldAsync(store, held);
    }

    [Fact]
    public async Task An_expired_record_is_replaced_by_the_next_claim()
    {
        var (store, _) = await CreateStoreHoldingAsync();
        var renewed = Record("k", "renewed") with { CreatedAt = AfterLifetime };

        Assert.Equal(new ClaimedIdempotencyKey(renewed, Inserted: true), await ClaimAsync(store, renewed, at: AfterLifetime));
        await AssertHeldAsync(store, renewed, at: AfterLifetime);
    }

    [Fact]
    public async Task A_record_created_exactly_at_the_expiry_bound_still_holds_its_key()
    {
        var (store, held) = await CreateStoreHoldingAsync();

        var atBound = await store.ClaimAsync(Record("k", "second") with { CreatedAt = Now + Lifetime }, expiredBefore: held.CreatedAt, CancellationToken.None);

        Assert.Equal(new ClaimedIdempotencyKey(held, Inserted: false), atBound);
    }

    [Fact]
    public async Task Release_frees_the_key_it_still_holds_and_a_second_release_changes_nothing()
    {
        var (store, held) = await CreateStoreHoldingAsync();

        await store.ReleaseAsync(held, CancellationToken.None);
        var retry = Record("k", "retry");
        var claimed = await ClaimAsync(store, retry);
        await store.ReleaseAsync(held, CancellationToken.None);

        Assert.Equal(new ClaimedIdempotencyKey(retry, Inserted: true), claimed);
        await AssertHeldAsync(store, retry);
    }

    [Fact]
    public async Task Release_of_another_claims_record_leaves_the_key_held()
    {
        var (store, held) = await CreateStoreHoldingAsync();

        await store.ReleaseAsync(held with { JobId = Guid.CreateVersion7() }, CancellationToken.None);
        await store.ReleaseAsync(Record("never-claimed", "none"), CancellationToken.None);

        await AssertHeldAsync(store, held);
    }

    [Fact]
    public async Task Release_of_a_stale_record_does_not_free_the_newer_claim_that_replaced_it()
    {
        var (store, stale) = await CreateStoreHoldingAsync();
        var newer = Record("k", "newer") with { CreatedAt = AfterLifetime };
        await ClaimAsync(store, newer, at: AfterLifetime);

        await store.ReleaseAsync(stale, CancellationToken.None);

        await AssertHeldAsync(store, newer, at: AfterLifetime);
    }

    [Fact]
    public async Task Of_many_concurrent_claims_of_one_key_from_two_processes_exactly_one_stores_its_record()
    {
        var store = await CreateStoreAsync();
        var another = await OpenAnotherAsync(store);
        var records = Enumerable.Range(0, 64).Select(i => Record("contended", "request " + i)).ToList();

        var claims = await Task.WhenAll(records.Select((record, i) => Task.Run(() => ClaimAsync(i % 2 == 0 ? store : another, record))));

        var winner = Assert.Single(claims, claim => claim.Inserted).Held;
        Assert.Contains(winner, records);
        Assert.All(claims, claim => Assert.Equal(winner, claim.Held));
        await AssertHeldAsync(another, winner);
    }

    /// <summary>A record of key <paramref name="key"/> of <c>alice</c> in <c>demo</c>, created at the facts' start, proposing a new job.</summary>
    protected static IdempotencyRecord Record(string key, string fingerprint) => new("demo", "alice", key, fingerprint, Guid.CreateVersion7(), Now);

    // A fresh store in which key "k" of alice in demo is held by a record created at the facts' start.
    private async Task<(IIdempotencyStore Store, IdempotencyRecord Held)> CreateStoreHoldingAsync()
    {
        var store = await CreateStoreAsync();
        var held = Record("k", "held");
        Assert.True((await ClaimAsync(store, held)).Inserted);
        return (store, held);
    }

    // Another request's claim of held's key, at `at`, gets held back and stores nothing.
    private static async Task AssertHeldAsync(IIdempotencyStore store, IdempotencyRecord held, DateTimeOffset? at = null) =>
        Assert.Equal(new ClaimedIdempotencyKey(held, Inserted: false),
            await ClaimAsync(store, held with { Fingerprint = "another request", JobId = Guid.CreateVersion7(), CreatedAt = at ?? Now }, at));

    // A claim at `at` (default: the facts' start): records older than the lifetime are expired.
    private static async Task<ClaimedIdempotencyKey> ClaimAsync(IIdempotencyStore store, IdempotencyRecord record, DateTimeOffset? at = null) =>
        await store.ClaimAsync(record, (at ?? Now) - Lifetime, CancellationToken.None);
}
