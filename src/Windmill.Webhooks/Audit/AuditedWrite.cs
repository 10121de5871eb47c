using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Audit;

/// <summary>
/// How the stored-scripts and stored-flows services audit their writes: the entry goes into the write's own commit when the
/// store can hold it, else to the sink once the write is durable; a write that did nothing is not audited.
/// </summary>
internal static class AuditedWrite
{
    /// <summary>The entry for <paramref name="caller"/>'s <paramref name="operation"/> on <paramref name="resource"/>.</summary>
    public static AuditEntry Entry(string workspace, Caller caller, DateTimeOffset timestamp, string operation, AuditActionKind kind, string resource,
        params (string Key, string Value)[] parameters) => new()
        {
            WorkspaceId = workspace,
            Timestamp = timestamp,
            Username = caller.Username,
            Operation = operation,
            ActionKind = kind,
            Resource = resource,
            Parameters = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };

    /// <summary>
    /// Runs <paramref name="write"/>, handing it <paramref name="audit"/> when <paramref name="inCommit"/>, else writing it to
    /// <paramref name="sink"/> afterwards when <paramref name="wrote"/> says the write did something.
    /// </summary>
    public static async ValueTask<T> RunAsync<T>(bool inCommit, IAuditSink sink, AuditEntry audit, Func<AuditEntry?, ValueTask<T>> write, Func<T, bool> wrote)
    {
        var written = await write(inCommit ? audit : null).ConfigureAwait(false);
        if (!inCommit && wrote(written))
        {
            await sink.WriteAsync(audit, CancellationToken.None).ConfigureAwait(false);
        }

        return written;
    }
}
