namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>Options of the PostgreSQL stores.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>
    /// The Npgsql connection string, such as <c>Host=db;Database=windmill;Username=windmill;Password=…</c>. Ignored when an
    /// <c>NpgsqlDataSource</c> comes from the application's services (<c>UsePostgreSql()</c> without a connection string).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema that holds every table of the stores, created when missing. Default <c>windmill</c>. Lowercase letters,
    /// digits and <c>_</c>, starting with a letter or <c>_</c>, at most 48 characters (it also names the NOTIFY channel).
    /// </summary>
    public string Schema { get; set; } = "windmill";
}
