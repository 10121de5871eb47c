using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// The versioned schema. Each migration runs once, in order, in its own transaction; the applied
/// version is kept in <c>PRAGMA user_version</c>, so later releases only append migrations.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE script (
            workspace_id TEXT NOT NULL,
            hash INTEGER NOT NULL,
            path TEXT NOT NULL,
            parent_hash INTEGER,
            language TEXT NOT NULL,
            content TEXT NOT NULL,
            summary TEXT NOT NULL,
            description TEXT NOT NULL,
            schema TEXT,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (workspace_id, hash)
        );
        CREATE INDEX script_by_path ON script (workspace_id, path, archived, created_at);

        CREATE TABLE job (
            id TEXT NOT NULL PRIMARY KEY,
            workspace_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            script_path TEXT NOT NULL,
            script_hash INTEGER NOT NULL,
            language TEXT,
            args TEXT NOT NULL,
            created_by TEXT NOT NULL,
            permissioned_as TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            scheduled_for INTEGER NOT NULL,
            started_at INTEGER,
            completed_at INTEGER,
            status TEXT NOT NULL,
            result TEXT,
            logs TEXT,
            parent_job TEXT,
            trigger_kind TEXT,
            tag TEXT NOT NULL,
            canceled_by TEXT,
            canceled_reason TEXT,
            restart_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX job_by_workspace ON job (workspace_id, created_at);
        CREATE INDEX job_unfinished ON job (status) WHERE status IN ('queued', 'running');

        CREATE TABLE token (
            token_hash TEXT NOT NULL PRIMARY KEY,
            token_prefix TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            label TEXT,
            workspace_id TEXT,
            scopes TEXT,
            expiration INTEGER,
            created_at INTEGER NOT NULL,
            last_used_at INTEGER NOT NULL,
            super_admin INTEGER NOT NULL DEFAULT 0,
            read_only INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX token_by_owner ON token (owner, created_at);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            workspace_id TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            username TEXT NOT NULL,
            operation TEXT NOT NULL,
            action_kind TEXT NOT NULL,
            resource TEXT,
            parameters TEXT
        );
        CREATE INDEX audit_by_workspace ON audit (workspace_id, id);
        """,
        """
        ALTER TABLE job ADD COLUMN root_job TEXT;
        ALTER TABLE job ADD COLUMN visible_to_owner INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX job_by_parent ON job (parent_job) WHERE parent_job IS NOT NULL;

        CREATE TABLE idempotency_key (
            workspace_id TEXT NOT NULL,
            owner TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            job_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (workspace_id, owner, key)
        );
        CREATE INDEX idempotency_key_by_age ON idempotency_key (created_at);
        """,
        """
        ALTER TABLE job ADD COLUMN raw_code TEXT;
        ALTER TABLE job ADD COLUMN flow_step INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE job ADD COLUMN pending_children INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE job ADD COLUMN lease_owner TEXT;
        ALTER TABLE job ADD COLUMN lease_until INTEGER;
        CREATE INDEX job_due ON job (scheduled_for, id) WHERE status = 'queued' AND pending_children = 0;
        CREATE INDEX job_leased ON job (lease_until) WHERE status = 'running';
        UPDATE job SET lease_owner = 'before-leases', lease_until = 0 WHERE status = 'running';
        """,
        """
        ALTER TABLE script ADD COLUMN timeout_ms INTEGER;
        ALTER TABLE job ADD COLUMN timeout_ms INTEGER;
        """,
        """
        ALTER TABLE script ADD COLUMN compiled_code TEXT;
        """,
        """
        ALTER TABLE job ADD COLUMN trace_parent TEXT;
        """,
        """
        -- A flow is its path and whether it is archived; its definitions are its versions, the newest being the highest id.
        CREATE TABLE flow (
            workspace_id TEXT NOT NULL,
            path TEXT NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (workspace_id, path)
        );

        CREATE TABLE flow_version (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            workspace_id TEXT NOT NULL,
            path TEXT NOT NULL,
            summary TEXT NOT NULL,
            description TEXT NOT NULL,
            value TEXT NOT NULL,
            schema TEXT,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            deployment_msg TEXT
        );
        CREATE INDEX flow_version_by_path ON flow_version (workspace_id, path, id);

        ALTER TABLE job ADD COLUMN flow_status TEXT;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection)
    {
        if (CurrentVersion(connection) > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {CurrentVersion(connection)}, newer than this release of Windmill.Webhooks supports ({Migrations.Length}).");
        }

        for (var version = CurrentVersion(connection); version < Migrations.Length; version = CurrentVersion(connection))
        {
            // IMMEDIATE takes the write lock first, so two processes starting together migrate once.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (CurrentVersion(connection, transaction) != version)
            {
                continue;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
