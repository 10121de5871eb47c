using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Windmill.Webhooks.Bench.WindmillHost;

/// <summary>The store a bench host runs on: the SQLite file, or a PostgreSQL schema; and the harness's count of unfinished jobs in it.</summary>
internal sealed class BenchStore(string sqliteConnectionString, string synchronous, string? postgres, string schema)
{
    private const string Unfinished = "WHERE status IN ('queued', 'running')";

    public WindmillWebhooksBuilder Use(WindmillWebhooksBuilder builder) => postgres is null
        ? builder.UseSqlite(sqliteConnectionString, sqlite => sqlite.Synchronous = synchronous)
        : builder.UsePostgreSql(postgres, options => options.Schema = schema);

    public async Task<long> CountUnfinishedAsync()
    {
        if (postgres is null)
        {
            await using var sqlite = new SqliteConnection(sqliteConnectionString);
            await sqlite.OpenAsync();
            await using var command = sqlite.CreateCommand();
            command.CommandText = "SELECT count(*) FROM job " + Unfinished;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {schema}.job {Unfinished}", connection);
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Flow jobs, and the flow jobs with their steps: how many jobs a flow call makes.</summary>
    public async Task<(long Flows, long WithSteps)> CountFlowJobsAsync()
    {
        const string Counts = "count(*) FILTER (WHERE kind = 'flow'), count(*) FILTER (WHERE kind = 'flow' OR flow_step {0})";
        if (postgres is null)
        {
            await using var sqlite = new SqliteConnection(sqliteConnectionString);
            await sqlite.OpenAsync();
            await using var command = sqlite.CreateCommand();
            command.CommandText = "SELECT " + string.Format(CultureInfo.InvariantCulture, Counts, "= 1") + " FROM job";
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var counts = new NpgsqlCommand($"SELECT {string.Format(CultureInfo.InvariantCulture, Counts, "")} FROM {schema}.job", connection);
        await using var rows = await counts.ExecuteReaderAsync();
        await rows.ReadAsync();
        return (rows.GetInt64(0), rows.GetInt64(1));
    }
}
