namespace Windmill.Webhooks.Jobs;

/// <summary>A runner's hold on the jobs it runs: its identity, and until when the hold lasts unless renewed.</summary>
/// <param name="Owner">The runner's identity, unique per process start.</param>
/// <param name="Until">When the hold ends unless renewed.</param>
public sealed record JobLease(string Owner, DateTimeOffset Until);
