using System.Globalization;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="IFlowStore"/> in memory; everything is lost when the process stops.</summary>
public sealed class InMemoryFlowStore : IFlowStore
{
    // Each flow's versions in deployment order (the last is the newest), and whether it is archived.
    private readonly Dictionary<(string Workspace, string Path), Flow> _flows = [];
    private readonly Lock _lock = new();
    private long _nextId;

    /// <summary>Never: audit entries go to their sink after each write.</summary>
    public bool CommitsWith(IAuditSink audit) => false;

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_flows.TryGetValue((workspace, path), out var flow) ? flow.Read(flow.Versions[^1]) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetVersionAsync(string workspace, long id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var found = _flows.Where(f => f.Key.Workspace == workspace)
                .SelectMany(f => f.Value.Versions.Where(v => v.Id == id).Select(f.Value.Read))
                .FirstOrDefault();
            return ValueTask.FromResult(found);
        }
    }

    /// <inheritdoc />
    public ValueTask<FlowVersion> AddVersionAsync(FlowVersion version, long? expectedPrevious, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_lock)
        {
            var key = (version.Workspace, version.Path);
            var exists = _flows.TryGetValue(key, out var flow);
            if (expectedPrevious is null && exists)
            {
                throw new FlowConflictException($"Flow {version.Path} already exists");
            }

            if (expectedPrevious is { } expected && (!exists || flow!.Versions[^1].Id != expected))
            {
                var newest = exists ? flow!.Versions[^1].Id.ToString(CultureInfo.InvariantCulture) : "none";
                throw new FlowConflictException($"Flow {version.Path} changed meanwhile: its newest version is {newest}, not {expected}");
            }

            if (flow is null)
            {
                flow = new Flow();
                _flows[key] = flow;
            }

            var added = version with { Id = ++_nextId, Archived = false };
            flow.Versions.Add(added);
            flow.Archived = false;
            return ValueTask.FromResult(added);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> SetArchivedAsync(string workspace, string path, bool archived, AuditEntry? audit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_flows.TryGetValue((workspace, path), out var flow))
            {
                return ValueTask.FromResult(false);
            }

            flow.Archived = archived;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_flows.Remove((workspace, path)));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return (_flows.TryGetValue((workspace, path), out var flow) ? flow.Versions.Select(flow.Read).Reverse().ToList() : [])
                .ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> ListAsync(FlowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return _flows.Where(f => f.Key.Workspace == query.Workspace && f.Value.Archived == query.Archived)
                .Select(f => f.Value.Read(f.Value.Versions[^1]))
                .Where(v => (query.PathStart is null || v.Path.StartsWith(query.PathStart, StringComparison.Ordinal))
                    && (query.PathExact is null || v.Path == query.PathExact)
                    && (query.CreatedBy is null || v.CreatedBy == query.CreatedBy))
                .OrderBy(v => v.Path, StringComparer.Ordinal)
                .Skip(query.Offset)
                .Take(query.Limit)
                .ToList()
                .ToAsyncEnumerable();
        }
    }

    private sealed class Flow
    {
        public List<FlowVersion> Versions { get; } = [];

        public bool Archived { get; set; }

        // A version reads with its flow's archived state, which belongs to the path, not to one version.
        public FlowVersion Read(FlowVersion version) => version with { Archived = Archived };
    }
}
