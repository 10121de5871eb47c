namespace Windmill.Webhooks.CrashTest;

/// <summary>The database the sample runs on in one crash test, and the tool's direct reads of it: a SQLite file, or a PostgreSQL database.</summary>
internal interface ICrashDatabase : IAsyncDisposable
{
    /// <summary>What the sample gets as <c>ConnectionStrings__Windmill</c>.</summary>
    string ConnectionString { get; }

    /// <summary>Where it is, for the progress lines.</summary>
    string Description { get; }

    /// <summary>Adds the record of every job transition (<see cref="JobTransitions"/>), once the sample has created its schema.</summary>
    void InstallTransitions();

    /// <summary>Polls until no job is queued or running, or <paramref name="timeout"/> passes; returns how many are left.</summary>
    Task<long> WaitUntilDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Polls until process <paramref name="processId"/> runs a <c>u/bot/sleep</c> job with at least <paramref name="timeLeft"/> left.</summary>
    Task<bool> WaitUntilSleepRunsInAsync(int processId, TimeSpan timeLeft, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Checks what the database holds against what was acknowledged.</summary>
    DatabaseFindings Verify(Acknowledgements acknowledgements, IReadOnlyList<SampleLifetime> lifetimes);
}
