using System.Globalization;
using Npgsql;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The versioned schema. Each migration runs once, in order, in its own transaction, while the migrating process holds a
/// session advisory lock for the schema, so replicas that start together migrate once; the applied version is kept in
/// <c>schema_version</c>, so later releases only append migrations. <c>{s}</c> in a migration stands for the schema.
/// </summary>
internal static class PostgreSqlSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {s}.script (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            workspace_id text NOT NULL,
            hash bigint NOT NULL,
            path text NOT NULL,
            parent_hash bigint,
            language text NOT NULL,
            content text NOT NULL,
            summary text NOT NULL,
            description text NOT NULL,
            schema text,
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            archived boolean NOT NULL DEFAULT false,
            timeout_ms bigint,
            compiled_code text,
            PRIMARY KEY (workspace_id, hash)
        );
        CREATE INDEX script_by_path ON {s}.script (workspace_id, path, created_at DESC, seq DESC);

        CREATE TABLE {s}.job (
            id uuid NOT NULL PRIMARY KEY,
            workspace_id text NOT NULL,
            kind text NOT NULL,
            script_path text NOT NULL,
            script_hash bigint NOT NULL,
            language text,
            args text NOT NULL,
            created_by text NOT NULL,
            permissioned_as text NOT NULL,
            created_at bigint NOT NULL,
            scheduled_for bigint NOT NULL,
            started_at bigint,
            completed_at bigint,
            status text NOT NULL,
            result text,
            logs text,
            parent_job uuid,
            trigger_kind text,
            tag text NOT NULL,
            canceled_by text,
            canceled_reason text,
            restart_count integer NOT NULL DEFAULT 0,
            root_job uuid,
            visible_to_owner boolean NOT NULL DEFAULT true,
            raw_code text,
            flow_step boolean NOT NULL DEFAULT false,
            pending_children integer NOT NULL DEFAULT 0,
            lease_owner text,
            lease_until bigint,
            timeout_ms bigint,
            trace_parent text
        );
        CREATE INDEX job_by_workspace ON {s}.job (workspace_id, created_at DESC, id DESC);
        CREATE INDEX job_due ON {s}.job (scheduled_for, id) WHERE status = 'queued' AND pending_children = 0;
        CREATE INDEX job_leased ON {s}.job (lease_until) WHERE status = 'running';
        CREATE INDEX job_by_parent ON {s}.job (parent_job) WHERE parent_job IS NOT NULL;

        CREATE TABLE {s}.token (
            token_hash text NOT NULL PRIMARY KEY,
            token_prefix text NOT NULL UNIQUE,
            owner text NOT NULL,
            label text,
            workspace_id text,
            scopes text,
            expiration bigint,
            created_at bigint NOT NULL,
            last_used_at bigint NOT NULL,
            super_admin boolean NOT NULL DEFAULT false,
            read_only boolean NOT NULL DEFAULT false,
            seq bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE INDEX token_by_owner ON {s}.token (owner, created_at);

        CREATE TABLE {s}.audit (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            workspace_id text NOT NULL,
            "timestamp" bigint NOT NULL,
            username text NOT NULL,
            operation text NOT NULL,
            action_kind text NOT NULL,
            resource text,
            parameters text
        );
        CREATE INDEX audit_by_workspace ON {s}.audit (workspace_id, id);
        CREATE INDEX audit_by_age ON {s}.audit ("timestamp");

        CREATE TABLE {s}.idempotency_key (
            workspace_id text NOT NULL,
            owner text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            job_id uuid NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (workspace_id, owner, key)
        );
        CREATE INDEX idempotency_key_by_age ON {s}.idempotency_key (created_at);
        """,
        """
        -- A flow is its path and whether it is archived; its definitions are its versions, the newest being the highest id.
        CREATE TABLE {s}.flow (
            workspace_id text NOT NULL,
            path text NOT NULL,
            archived boolean NOT NULL DEFAULT false,
            PRIMARY KEY (workspace_id, path)
        );

        CREATE TABLE {s}.flow_version (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            workspace_id text NOT NULL,
            path text NOT NULL,
            summary text NOT NULL,
            description text NOT NULL,
            value text NOT NULL,
            schema text,
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            deployment_msg text
        );
        CREATE INDEX flow_version_by_path ON {s}.flow_version (workspace_id, path, id DESC);
        """,
        """
        ALTER TABLE {s}.job ADD COLUMN flow_status text;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>
    /// Brings <paramref name="schema"/> to <paramref name="target"/> (tests stop at earlier versions); returns the versions before
    /// and after. Throws <see cref="InvalidOperationException"/> when the schema is newer than this build knows.
    /// </summary>
    public static async Task<(int From, int To)> MigrateAsync(NpgsqlConnection connection, string schema, int target,
        CancellationToken cancellationToken)
    {
        // Session-level, not transaction-level: held across the migrations' own transactions, released however this ends.
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(hashtext(@key))", cancellationToken, ("key", LockKey(schema))).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE IF NOT EXISTS {schema}.schema_version (version integer NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            var from = await CurrentVersionAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            if (from > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL schema '{schema}' is at version {from}, newer than this release of Windmill.Webhooks.PostgreSql supports "
                    + $"({Migrations.Length}). Upgrade the package on this host, or point it at another schema (PostgreSqlStorageOptions.Schema).");
            }

            for (var version = from; version < target; version++)
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var sql = Migrations[version].Replace("{s}", schema, StringComparison.Ordinal)
                        + $";\nDELETE FROM {schema}.schema_version; INSERT INTO {schema}.schema_version (version) VALUES ({(version + 1).ToString(CultureInfo.InvariantCulture)});";
                    await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return (from, Math.Max(from, target));
        }
        finally
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(hashtext(@key))", CancellationToken.None, ("key", LockKey(schema)))
                .ConfigureAwait(false);
        }
    }

    /// <summary>The version <paramref name="schema"/> is at; 0 when it has none.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT max(version) FROM {schema}.schema_version", null);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    private static string LockKey(string schema) => "windmill-webhooks-migrate:" + schema;

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
