using System.Data.Common;
using System.Text.Json;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Storage;

/// <summary>The <c>token</c> table as the SQL stores share it: its columns, and how a token's values are stored and read back.</summary>
internal static class TokenRows
{
    public const string Columns = "token_hash, token_prefix, owner, label, workspace_id, scopes, expiration, created_at, last_used_at, super_admin, read_only";

    /// <summary>The values of <see cref="Columns"/> for <paramref name="token"/>, named as the insert's <c>@</c> parameters.</summary>
    public static (string Name, object? Value)[] Values(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return
        [
            ("hash", token.TokenHash), ("prefix", token.Prefix), ("owner", token.Owner), ("label", token.Label), ("ws", token.WorkspaceId),
            ("scopes", Scopes(token)), ("expiration", token.Expiration?.UtcTicks), ("created", token.CreatedAt.UtcTicks),
            ("used", token.LastUsedAt.UtcTicks), ("super", token.SuperAdmin), ("readonly", token.ReadOnly),
        ];
    }

    /// <summary>The insert's VALUES list, in the order of <see cref="Columns"/>.</summary>
    public const string InsertValues = "@hash, @prefix, @owner, @label, @ws, @scopes, @expiration, @created, @used, @super, @readonly";

    /// <summary>A token's scopes as stored.</summary>
    public static string? Scopes(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Scopes is null ? null : JsonSerializer.Serialize(token.Scopes);
    }

    /// <summary>A token from a row of <see cref="Columns"/>.</summary>
    public static ApiToken Read(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new()
        {
            TokenHash = reader.GetString(0),
            Prefix = reader.GetString(1),
            Owner = reader.GetString(2),
            Label = Rows.NullableString(reader, 3),
            WorkspaceId = Rows.NullableString(reader, 4),
            Scopes = reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(5)),
            Expiration = Rows.NullableInstant(reader, 6),
            CreatedAt = Rows.Instant(reader, 7),
            LastUsedAt = Rows.Instant(reader, 8),
            SuperAdmin = reader.GetBoolean(9),
            ReadOnly = reader.GetBoolean(10),
        };
    }
}
