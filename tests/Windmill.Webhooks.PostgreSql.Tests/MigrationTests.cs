using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Windmill.Webhooks.Storage.PostgreSql;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>The versioned schema: from empty, from each earlier version, by replicas starting together, and refusing a newer one.</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private TestSchema? _schema;

    public static TheoryData<int> EarlierVersions() => [.. Enumerable.Range(0, PostgreSqlSchema.LatestVersion)];

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();

    [Fact]
    public async Task An_empty_database_gets_the_schema_in_the_configured_schema_name_at_the_latest_version()
    {
        var database = _schema!.Open();

        await database.EnsureInitializedAsync(CancellationToken.None);

        Assert.Equal(PostgreSqlSchema.LatestVersion, await VersionAsync());
        Assert.Equal(["audit", "flow", "flow_version", "idempotency_key", "job", "schema_version", "script", "token"], await TablesAsync());
    }

    [Theory]
    [MemberData(nameof(EarlierVersions))]
    public async Task A_schema_at_an_earlier_version_is_migrated_to_the_latest_keeping_its_rows(int version)
    {
        await using (var connection = new NpgsqlConnection(_schema!.Cluster.ConnectionString(maxPoolSize: 1)))
        {
            await connection.OpenAsync();
            await PostgreSqlSchema.MigrateAsync(connection, _schema.Name, version, CancellationToken.None);
            if (version > 0)
            {
                // Every version has had the token table: a row written then must survive the migrations after it.
                await using var insert = new NpgsqlCommand(
                    $"INSERT INTO {_schema.Name}.token (token_hash, token_prefix, owner, created_at, last_used_at) VALUES ('h', 'p', 'alice', 1, 1)", connection);
                await insert.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(version, await VersionAsync());
        var database = _schema.Open();
        await database.EnsureInitializedAsync(CancellationToken.None);

        Assert.Equal(PostgreSqlSchema.LatestVersion, await VersionAsync());
        var token = await new PostgreSqlTokenStore(database).FindByPrefixAsync("p", CancellationToken.None);
        Assert.Equal(version > 0 ? "alice" : null, token?.Owner);
    }

    [Fact]
    public async Task Replicas_starting_together_migrate_once()
    {
        var replicas = Enumerable.Range(0, 6).Select(_ => _schema!.Open()).ToList();

        await Task.WhenAll(replicas.Select(r => r.EnsureInitializedAsync(CancellationToken.None).AsTask()));

        Assert.Equal(PostgreSqlSchema.LatestVersion, await VersionAsync());
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {_schema!.Name}.schema_version"));
    }

    [Fact]
    public async Task A_schema_newer_than_the_package_stops_the_host_at_start_with_a_clear_error()
    {
        await _schema!.Open().EnsureInitializedAsync(CancellationToken.None);
        await ScalarAsync<int>($"UPDATE {_schema.Name}.schema_version SET version = {PostgreSqlSchema.LatestVersion + 1} RETURNING version");

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = new string('a', 32))
            .UsePostgreSql(_schema.Cluster.ConnectionString(), options => options.Schema = _schema.Name)
            .AddScript("u/bot/echo", (System.Text.Json.JsonElement args) => args);
        await using var app = builder.Build();
        app.MapWindmillWebhooks();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Equal(
            $"The PostgreSQL schema '{_schema.Name}' is at version {PostgreSqlSchema.LatestVersion + 1}, newer than this release of "
            + $"Windmill.Webhooks.PostgreSql supports ({PostgreSqlSchema.LatestVersion}). Upgrade the package on this host, or point it at another "
            + "schema (PostgreSqlStorageOptions.Schema).", error.Message);
    }

    [Theory]
    [InlineData("Windmill")]
    [InlineData("a-b")]
    [InlineData("x; DROP TABLE job")]
    [InlineData("")]
    public void A_schema_name_that_is_not_a_plain_lowercase_identifier_is_refused(string schema)
    {
        using var dataSource = NpgsqlDataSource.Create(_schema!.Cluster.ConnectionString());

        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlDatabase(dataSource, schema, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgreSqlDatabase>.Instance));

        Assert.StartsWith($"'{schema}' is not a usable schema name", error.Message, StringComparison.Ordinal);
    }

    private Task<int> VersionAsync() => ScalarAsync<int>($"SELECT coalesce(max(version), 0) FROM {_schema!.Name}.schema_version");

    private async Task<string[]> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(_schema!.Cluster.ConnectionString(maxPoolSize: 1));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT table_name::text FROM information_schema.tables WHERE table_schema = @s ORDER BY 1", connection);
        command.Parameters.AddWithValue("s", _schema.Name);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return [.. tables];
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_schema!.Cluster.ConnectionString(maxPoolSize: 1));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
