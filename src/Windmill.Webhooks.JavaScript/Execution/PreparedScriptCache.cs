using Acornima.Ast;
using Jint;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>A module parsed and prepared once for Jint, with the names of its <c>main</c>'s parameters in order.</summary>
internal sealed record PreparedScript(Prepared<Module> Module, IReadOnlyList<string?> ParameterNames);

/// <summary>
/// Keeps prepared modules by key (a script version's hash, or inline code's digest), the least recently used dropped
/// first beyond its capacity. A key is prepared once even when several jobs ask for it at the same time.
/// </summary>
internal sealed class PreparedScriptCache
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Key, Lazy<PreparedScript> Script)>> _entries = [];
    private readonly LinkedList<(string Key, Lazy<PreparedScript> Script)> _recent = new();
    private readonly Lock _lock = new();
    private int _prepared;

    public PreparedScriptCache(int capacity) => _capacity = Math.Max(1, capacity);

    /// <summary>How many modules were prepared since start: once per key while it stays cached.</summary>
    public int PreparedCount => Volatile.Read(ref _prepared);

    public PreparedScript GetOrPrepare(string key, Func<string, PreparedScript> prepare, Func<string> loadCode)
    {
        Lazy<PreparedScript> script;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                script = node.Value.Script;
            }
            else
            {
                script = new Lazy<PreparedScript>(() =>
                {
                    Interlocked.Increment(ref _prepared);
                    return prepare(loadCode());
                });
                _entries[key] = _recent.AddFirst((key, script));
                while (_entries.Count > _capacity)
                {
                    _entries.Remove(_recent.Last!.Value.Key);
                    _recent.RemoveLast();
                }
            }
        }

        try
        {
            return script.Value;
        }
        catch
        {
            // A failure is not kept: the next job prepares again (and fails again, with the same error, if it must).
            Forget(key, script);
            throw;
        }
    }

    private void Forget(string key, Lazy<PreparedScript> script)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node) && node.Value.Script == script)
            {
                _entries.Remove(key);
                _recent.Remove(node);
            }
        }
    }
}
