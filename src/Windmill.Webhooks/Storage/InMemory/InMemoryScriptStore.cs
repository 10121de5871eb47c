using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="IScriptStore"/> in memory; everything is lost when the process stops.</summary>
public sealed class InMemoryScriptStore : IScriptStore
{
    private readonly List<ScriptVersion> _versions = [];
    private readonly Lock _lock = new();

    /// <summary>Never: audit entries go to their sink after each write.</summary>
    public bool CommitsWith(IAuditSink audit) => false;

    /// <inheritdoc />
    public ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Head(workspace, path));
        }
    }

    /// <inheritdoc />
    public ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_versions.Find(v => v.Workspace == workspace && v.Hash == hash));
        }
    }

    /// <inheritdoc />
    public ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_lock)
        {
            if (_versions.Exists(v => v.Workspace == version.Workspace && v.Hash == version.Hash))
            {
                throw new ScriptVersionConflictException(version.Workspace, version.Hash);
            }

            if (Head(version.Workspace, version.Path) is { } head && head.Hash != version.ParentHash)
            {
                throw new ScriptLineageException(version.Workspace, version.Path, head.Hash);
            }

            if (version.ParentHash is { } parent)
            {
                Archive(v => v.Workspace == version.Workspace && v.Hash == parent);
            }

            // Kept in deployment order, so the last match at a path is the newest.
            _versions.Add(version);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Archive(v => v.Workspace == workspace && v.Hash == hash));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Archive(v => v.Workspace == workspace && v.Path == path));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_versions.RemoveAll(v => v.Workspace == workspace && v.Path == path) > 0);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _versions.Where(v => v.Workspace == workspace && v.Path == path).Reverse().ToList().ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return _versions.Where(v => v.Workspace == query.Workspace)
                .GroupBy(v => v.Path, StringComparer.Ordinal)
                .Select(g => query.Archived
                    ? g.All(v => v.Archived) ? g.Last() : null
                    : g.LastOrDefault(v => !v.Archived))
                .OfType<ScriptVersion>()
                .Where(v => (query.PathStart is null || v.Path.StartsWith(query.PathStart, StringComparison.Ordinal))
                    && (query.PathExact is null || v.Path == query.PathExact)
                    && (query.CreatedBy is null || v.CreatedBy == query.CreatedBy)
                    && (query.Languages is not { Count: > 0 } languages || languages.Contains(v.Language)))
                .OrderBy(v => v.Path, StringComparer.Ordinal)
                .Skip(query.Offset)
                .Take(query.Limit)
                .ToList()
                .ToAsyncEnumerable();
        }
    }

    private ScriptVersion? Head(string workspace, string path) =>
        _versions.LastOrDefault(v => v.Workspace == workspace && v.Path == path && !v.Archived);

    private bool Archive(Predicate<ScriptVersion> match)
    {
        var found = false;
        for (var i = 0; i < _versions.Count; i++)
        {
            if (match(_versions[i]))
            {
                _versions[i] = _versions[i] with { Archived = true };
                found = true;
            }
        }

        return found;
    }
}
