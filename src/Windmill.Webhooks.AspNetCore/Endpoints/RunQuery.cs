using Microsoft.AspNetCore.Http;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>The body flags of a run route (docs/wire-format.md §3.3).</summary>
internal sealed record RunFlags(bool Raw, bool WrapBody, string[] IncludeHeaders, string[] IncludeQuery)
{
    // They carry the caller's token, whatever the host configured.
    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie", "Proxy-Authorization" };

    /// <summary>
    /// These flags without the headers and query parameters that carry credentials: the token, the credential
    /// headers and the host's <paramref name="secretHeaders"/> never become job args, so they never reach a job's
    /// JSON or the store. Asking for them is not an error (a webhook URL cannot always be changed); they are left out.
    /// </summary>
    public RunFlags WithoutCredentials(ICollection<string> secretHeaders) => this with
    {
        IncludeHeaders = [.. IncludeHeaders.Where(name => !CredentialHeaders.Contains(name) && !secretHeaders.Contains(name))],
        IncludeQuery = [.. IncludeQuery.Where(name => !string.Equals(name, WindmillTokenDefaults.QueryParameter, StringComparison.OrdinalIgnoreCase))],
    };
}

/// <summary>
/// The query of a run route, Windmill's <c>RunJobQuery</c> (docs/wire-format.md §3.1): the job options (with the
/// queue limit) and the body flags. Options Windmill has but that mean nothing here (<c>cache_ttl</c>,
/// <c>skip_preprocessor</c>, …) are checked for their type and otherwise accepted. <c>timeout</c> (seconds), which
/// Windmill honours for previews only, is the job's own time limit here: it can only shorten the script's and the instance's.
/// </summary>
internal sealed record RunQuery(JobOptions Job, RunFlags Flags)
{
    public static RunQuery? Parse(IQueryCollection query, DateTimeOffset now, out IResult? error)
    {
        var reader = new QueryReader(query);
        var scheduledFor = reader.Instant("scheduled_for");
        var scheduledInSecs = reader.Int64("scheduled_in_secs");
        var job = new JobOptions
        {
            Id = reader.Uuid("job_id"),
            ParentJob = reader.Uuid("parent_job"),
            RootJob = reader.Uuid("root_job"),
            Tag = reader.String("tag"),
            VisibleToOwner = reader.Bool("invisible_to_owner") != true,
            ScheduledFor = scheduledFor ?? (scheduledInSecs is { } seconds ? After(now, seconds, reader) : null),
            Timeout = reader.Int32("timeout") switch
            {
                null => null,
                > 0 and var limit => TimeSpan.FromSeconds(limit),
                var limit => reader.Fail<TimeSpan>($"timeout: must be a positive number of seconds: {limit}"),
            },
            QueueLimit = reader.Int64("queue_limit"),
        };
        var flags = new RunFlags(reader.Bool("raw") == true, reader.Bool("wrap_body") == true, reader.List("include_header"),
            reader.List("include_query"));

        // Accepted for compatibility; their types are still checked, as Windmill's extractor does.
        _ = reader.Bool("skip_preprocessor");
        _ = reader.Bool("cache_ignore_s3_path");
        _ = reader.Bool("suspended_mode");
        _ = reader.Int32("cache_ttl");
        _ = reader.Uuid("memory_id");
        _ = reader.Int64("poll_delay_ms");

        error = reader.Failure;
        return error is null ? new RunQuery(job, flags) : null;
    }

    // Whole seconds between now and the ends of DateTimeOffset's range, so that the sum always holds (a time in the past runs now).
    private static DateTimeOffset? After(DateTimeOffset now, long seconds, QueryReader reader) =>
        seconds > (DateTimeOffset.MaxValue - now).Ticks / TimeSpan.TicksPerSecond ? reader.Fail<DateTimeOffset>("scheduled_in_secs: too far in the future")
        : seconds < (DateTimeOffset.MinValue - now).Ticks / TimeSpan.TicksPerSecond ? reader.Fail<DateTimeOffset>("scheduled_in_secs: too far in the past")
        : now.AddTicks(seconds * TimeSpan.TicksPerSecond);
}
