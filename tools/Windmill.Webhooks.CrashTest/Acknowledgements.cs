using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// What the sample promised. An <b>async</b> acknowledgement is a <c>201</c> whose body is the job id: that
/// job must exist with its audit entry and complete. A <b>sync</b> acknowledgement is a <c>200</c> carrying
/// the expected result: sync answers carry no job id, so each sync request sends a unique <c>nonce</c> arg,
/// and its job is found by that nonce. Every acknowledgement is also appended to a log file as it arrives.
/// </summary>
internal sealed class Acknowledgements : IDisposable
{
    private readonly ConcurrentQueue<Guid> _asyncJobs = new();
    private readonly ConcurrentQueue<string> _syncNonces = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<Guid, JsonNode> _expectedResults = new();
    private readonly SampleLog _log;
    private long _interrupted;

    public Acknowledgements(string logPath) => _log = new SampleLog(logPath);

    public IReadOnlyCollection<Guid> AsyncJobs => _asyncJobs;

    public IReadOnlyCollection<string> SyncNonces => _syncNonces;

    /// <summary>The result each async job must end with, where the call knew it (flows); the others need only succeed.</summary>
    public IReadOnlyDictionary<Guid, JsonNode> ExpectedResults => _expectedResults;

    /// <summary>Answers that neither acknowledge nor come from a kill: a 5xx, a wrong result. Each one fails the run.</summary>
    public IReadOnlyCollection<string> UnexpectedAnswers => _unexpected;

    /// <summary>Requests cut short by a kill (connection refused or reset): not acknowledged, so their jobs may or may not exist.</summary>
    public long Interrupted => Interlocked.Read(ref _interrupted);

    /// <summary>A <c>201</c> with job <paramref name="id"/>, from the sample serving at <paramref name="from"/>, which must end with <paramref name="expectedResult"/> if given.</summary>
    public void AsyncJob(Guid id, Uri from, JsonNode? expectedResult = null)
    {
        if (expectedResult is not null)
        {
            _expectedResults[id] = expectedResult;
        }

        _asyncJobs.Enqueue(id);
        _log.Write($"async {id} from {from.Authority}");
    }

    /// <summary>A <c>200</c> with the expected result of the call with <paramref name="nonce"/>, from the sample serving at <paramref name="from"/>.</summary>
    public void SyncResult(string nonce, Uri from)
    {
        _syncNonces.Enqueue(nonce);
        _log.Write($"sync {nonce} from {from.Authority}");
    }

    public void Unexpected(string description)
    {
        _unexpected.Enqueue(description);
        _log.Write($"unexpected {description}");
    }

    public void Interruption() => Interlocked.Increment(ref _interrupted);

    public void Dispose() => _log.Dispose();
}
