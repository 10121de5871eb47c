namespace Windmill.Webhooks.Scripts;

/// <summary>Which scripts <see cref="IScriptStore.ListAsync"/> lists: Windmill's <c>scripts/list</c> filters, and a page.</summary>
public sealed record ScriptQuery
{
    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>Only paths that start with this text.</summary>
    public string? PathStart { get; init; }

    /// <summary>Only this path.</summary>
    public string? PathExact { get; init; }

    /// <summary>Only versions deployed by this user.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Only versions in one of these languages; <see langword="null"/> or empty for any.</summary>
    public IReadOnlyCollection<string>? Languages { get; init; }

    /// <summary>
    /// <see langword="false"/> (default): the head (newest non-archived version) of each path that has one.
    /// <see langword="true"/>: instead, the newest version of each path whose every version is archived, as Windmill's <c>show_archived</c>.
    /// </summary>
    public bool Archived { get; init; }

    /// <summary>How many matching scripts to skip.</summary>
    public int Offset { get; init; }

    /// <summary>The most scripts to return.</summary>
    public int Limit { get; init; } = int.MaxValue;
}
