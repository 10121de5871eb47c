namespace Windmill.Webhooks.Jobs;

/// <summary>
/// The jobs of one runner that have not finished (queued, scheduled or running), counted per workspace,
/// so that the queue cap is checked in memory rather than with a COUNT query per request. Each job is
/// counted once, whatever path ends it, and a job is counted before it is written, so that concurrent
/// requests cannot pass the cap together.
/// </summary>
internal sealed class UnfinishedJobs
{
    private readonly Dictionary<Guid, string> _workspaceOf = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How a new job was admitted.</summary>
    public enum Admission
    {
        /// <summary>Counted now: remove it if it is not written after all.</summary>
        Counted,

        /// <summary>Its id is counted already (the store will refuse the duplicate).</summary>
        AlreadyCounted,

        /// <summary>The workspace is at its cap.</summary>
        Full,
    }

    public Admission TryAdmit(Guid id, string workspace, int? limit)
    {
        lock (_lock)
        {
            if (_workspaceOf.ContainsKey(id))
            {
                return Admission.AlreadyCounted;
            }

            var count = _counts.GetValueOrDefault(workspace);
            if (count >= limit)
            {
                return Admission.Full;
            }

            _workspaceOf[id] = workspace;
            _counts[workspace] = count + 1;
            return Admission.Counted;
        }
    }

    /// <summary>Counts a job found in the store at start-up: an accepted job is counted even beyond the cap.</summary>
    public void Add(Guid id, string workspace)
    {
        lock (_lock)
        {
            if (_workspaceOf.TryAdd(id, workspace))
            {
                _counts[workspace] = _counts.GetValueOrDefault(workspace) + 1;
            }
        }
    }

    /// <summary>Stops counting a job that finished (or was never written); idempotent.</summary>
    public void Remove(Guid id)
    {
        lock (_lock)
        {
            if (!_workspaceOf.Remove(id, out var workspace))
            {
                return;
            }

            if (--_counts[workspace] == 0)
            {
                _counts.Remove(workspace);
            }
        }
    }
}
