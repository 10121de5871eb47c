using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="IScriptStore"/> in memory; everything is lost when the process stops.</summary>
public sealed class InMemoryScriptStore : IScriptStore
{
    private readonly List<ScriptVersion> _versions = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_versions.LastOrDefault(v => v.Workspace == workspace && v.Path == path && !v.Archived));
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
    public ValueTask AddVersionAsync(ScriptVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_lock)
        {
            if (_versions.Exists(v => v.Workspace == version.Workspace && v.Hash == version.Hash))
            {
                throw new ScriptVersionConflictException(version.Workspace, version.Hash);
            }

            if (version.ParentHash is { } parent)
            {
                Archive(version.Workspace, parent);
            }

            // Kept in deployment order, so the last match at a path is the newest.
            _versions.Add(version);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Archive(workspace, hash));
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
    public IAsyncEnumerable<ScriptVersion> ListAsync(string workspace, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _versions.Where(v => v.Workspace == workspace && !v.Archived)
                .GroupBy(v => v.Path, StringComparer.Ordinal)
                .Select(g => g.Last())
                .OrderBy(v => v.Path, StringComparer.Ordinal)
                .ToList()
                .ToAsyncEnumerable();
        }
    }

    private bool Archive(string workspace, ScriptHash hash)
    {
        var index = _versions.FindIndex(v => v.Workspace == workspace && v.Hash == hash);
        if (index < 0)
        {
            return false;
        }

        _versions[index] = _versions[index] with { Archived = true };
        return true;
    }
}
