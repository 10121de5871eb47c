namespace Windmill.Webhooks.Bench.Harness;

/// <summary>How long each phase runs: <see cref="Quick"/> for the CI smoke check, <see cref="Full"/> for the recorded figures.</summary>
internal sealed record Plan
{
    public static readonly Plan Quick = new()
    {
        Name = "quick",
        Warmup = TimeSpan.FromSeconds(1),
        Throughput = TimeSpan.FromSeconds(3),
        Short = TimeSpan.FromSeconds(1),
        Open = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)),
        Sync = (TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5)),
        DrainJobs = 10_000,
        PostgreSqlThroughput = TimeSpan.FromSeconds(2),
        PostgreSqlDrainJobs = 1_000,
        HangfireDrainJobs = 200,
        HangfireDrainLimit = TimeSpan.FromSeconds(5),
        Soak = TimeSpan.FromSeconds(10),
        SoakRate = 1000,
        BacklogTimeout = TimeSpan.FromSeconds(10),
        Scaling = false,
    };

    public static readonly Plan Full = new()
    {
        Name = "full",
        Warmup = TimeSpan.FromSeconds(10),
        Throughput = TimeSpan.FromSeconds(15),
        Short = TimeSpan.FromSeconds(10),
        Open = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20)),
        Sync = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)),
        DrainJobs = 50_000,
        PostgreSqlThroughput = TimeSpan.FromSeconds(15),
        PostgreSqlDrainJobs = 20_000,
        HangfireDrainJobs = 2_000,
        HangfireDrainLimit = TimeSpan.FromSeconds(60),
        Soak = TimeSpan.FromMinutes(5),
        SoakRate = 1000,
        BacklogTimeout = TimeSpan.FromMinutes(3),
        Scaling = true,
    };

    public required string Name { get; init; }

    public required TimeSpan Warmup { get; init; }

    public required TimeSpan Throughput { get; init; }

    public required TimeSpan Short { get; init; }

    public required (TimeSpan Warmup, TimeSpan Duration) Open { get; init; }

    public required (TimeSpan Warmup, TimeSpan Duration) Sync { get; init; }

    public required int DrainJobs { get; init; }

    /// <summary>How long each PostgreSQL accept phase measures (one replica, two replicas).</summary>
    public required TimeSpan PostgreSqlThroughput { get; init; }

    /// <summary>How many jobs each PostgreSQL drain runs (one replica, two replicas).</summary>
    public required int PostgreSqlDrainJobs { get; init; }

    public required int HangfireDrainJobs { get; init; }

    public required TimeSpan HangfireDrainLimit { get; init; }

    public required TimeSpan Soak { get; init; }

    public required double SoakRate { get; init; }

    public required TimeSpan BacklogTimeout { get; init; }

    public required bool Scaling { get; init; }
}
