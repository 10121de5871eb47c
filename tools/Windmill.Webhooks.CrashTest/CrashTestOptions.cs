namespace Windmill.Webhooks.CrashTest;

/// <summary>What one crash test run does; every choice of time and request comes from <see cref="Seed"/>.</summary>
internal sealed record CrashTestOptions
{
    /// <summary>How many times the sample is started and killed with SIGKILL (with two processes: how many times one of them is).</summary>
    public int Trials { get; init; } = 50;

    /// <summary>
    /// How many sample processes serve one database at once: 1, or 2 (each trial kills one of them and starts it
    /// again while the other keeps serving; after the last kill the survivor alone finishes every job).
    /// </summary>
    public int Processes { get; init; } = 1;

    /// <summary>
    /// Whether the acknowledged work is flows (<see cref="CrashFlow"/>, by <c>run/f</c> and <c>run_wait_result/f</c>) instead of
    /// script runs: then the checks add that every acknowledged flow ends with its right result and that no step that had
    /// succeeded ran again (<see cref="FlowVerifier"/>).
    /// </summary>
    public bool Flows { get; init; }

    /// <summary>Seeds the kill moments and every client's choice of requests.</summary>
    public int Seed { get; init; } = 6;

    /// <summary>How many clients send webhooks at once.</summary>
    public int Clients { get; init; } = 6;

    /// <summary>The built sample, <c>Windmill.Webhooks.Sample.dll</c>; found next to the repository's build output when not set.</summary>
    public string? SamplePath { get; init; }

    /// <summary>
    /// An Npgsql connection string to a PostgreSQL server (<c>Host=…</c>, as a user that may create databases): the run creates a
    /// database of its own there and the sample runs on PostgreSQL. SQLite in the work folder when not set.
    /// </summary>
    public string? PostgreSql { get; init; }

    /// <summary>Where the database and logs go; a new temp folder when not set.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Whether the work folder (database, sample logs, acknowledged ids) is kept after the run.</summary>
    public bool KeepWorkDirectory { get; init; }

    /// <summary>The shortest time the sample serves before it is killed.</summary>
    public TimeSpan MinUptime { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest time the sample serves before it is killed.</summary>
    public TimeSpan MaxUptime { get; init; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>The share of trials killed while the sample is still starting (recovering, migrating), before it serves.</summary>
    public double KillWhileStartingShare { get; init; } = 0.15;

    /// <summary>How long a start may take before the run gives up.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the last start may take to finish every job before the run reports the rest as unfinished.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Parses <c>--trials N --processes 1|2 --flows --seed N --clients N --sample PATH --work-dir DIR --postgres CONNECTION --keep</c>; returns
    /// <see langword="null"/> with <paramref name="error"/> set for anything else.
    /// </summary>
    public static CrashTestOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new CrashTestOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--keep")
            {
                options = options with { KeepWorkDirectory = true };
                continue;
            }

            if (name == "--flows")
            {
                options = options with { Flows = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--trials" when PositiveInt(value) is { } trials:
                    options = options with { Trials = trials };
                    break;
                case "--processes" when value is "1" or "2":
                    options = options with { Processes = value == "1" ? 1 : 2 };
                    break;
                case "--seed" when int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    break;
                case "--clients" when PositiveInt(value) is { } clients:
                    options = options with { Clients = clients };
                    break;
                case "--sample":
                    options = options with { SamplePath = value };
                    break;
                case "--work-dir":
                    options = options with { WorkDirectory = value };
                    break;
                case "--postgres" when value.StartsWith("Host=", StringComparison.OrdinalIgnoreCase):
                    options = options with { PostgreSql = value };
                    break;
                default:
                    error = $"unknown option or bad value: {name} {value}";
                    return null;
            }
        }

        if (options.Flows && options.PostgreSql is not null)
        {
            // The PostgreSQL transition record has no pending_children yet, which the flow checks need to tell suspensions from releases.
            error = "--flows runs on SQLite only: the PostgreSQL mode does not record flow suspensions yet";
            return null;
        }

        return options;
    }

    private static int? PositiveInt(string text) =>
        int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
