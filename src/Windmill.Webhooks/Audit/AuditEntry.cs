namespace Windmill.Webhooks.Audit;

/// <summary>
/// One audit log entry, such as <c>jobs.run.script</c> for a webhook trigger. Its resource and each parameter value are
/// cut to <see cref="MaxValueLength"/> characters as the entry is made, so no request can grow an audit row.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>The longest resource or parameter value kept, in characters; a longer one is cut and ends in <c>…</c>.</summary>
    public const int MaxValueLength = 1024;

    private readonly string? _resource;
    private readonly IReadOnlyDictionary<string, string>? _parameters;

    /// <summary>Assigned by the sink when written; ignored on write.</summary>
    public long Id { get; init; }

    /// <summary>The workspace, or <c>global</c>.</summary>
    public required string WorkspaceId { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who did it.</summary>
    public required string Username { get; init; }

    /// <summary>What was done, such as <c>jobs.run.script</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The kind of action.</summary>
    public required AuditActionKind ActionKind { get; init; }

    /// <summary>What it was done to, such as a script path; cut to <see cref="MaxValueLength"/>.</summary>
    public string? Resource
    {
        get => _resource;
        init => _resource = value is null ? null : Bound(value);
    }

    /// <summary>Details, such as the job id, each value cut to <see cref="MaxValueLength"/>. Never a secret.</summary>
    public IReadOnlyDictionary<string, string>? Parameters
    {
        get => _parameters;
        init => _parameters = value is null || value.Values.All(v => v.Length <= MaxValueLength)
            ? value
            : value.ToDictionary(p => p.Key, p => Bound(p.Value), StringComparer.Ordinal);
    }

    // Keeps whole characters: a surrogate pair is never split.
    private static string Bound(string text)
    {
        if (text.Length <= MaxValueLength)
        {
            return text;
        }

        var kept = MaxValueLength - 1;
        if (char.IsHighSurrogate(text[kept - 1]))
        {
            kept--;
        }

        return string.Concat(text.AsSpan(0, kept), "…");
    }
}
