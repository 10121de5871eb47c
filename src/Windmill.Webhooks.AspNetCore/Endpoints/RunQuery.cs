using Microsoft.AspNetCore.Http;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>The body flags of a run route (windmill-api.md §3.3).</summary>
internal sealed record RunFlags(bool Raw, bool WrapBody, string[] IncludeHeaders, string[] IncludeQuery);

/// <summary>
/// The query of a run route, Windmill's <c>RunJobQuery</c> (windmill-api.md §3.1): the job options, the
/// queue limit and the body flags. Options Windmill has but that mean nothing here (<c>cache_ttl</c>,
/// <c>skip_preprocessor</c>, …) are checked for their type and otherwise accepted. <c>timeout</c> (seconds), which
/// Windmill honours for previews only, is the job's own time limit here: it can only shorten the script's and the instance's.
/// </summary>
internal sealed record RunQuery(JobOptions Job, long? QueueLimit, RunFlags Flags)
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
        };
        var queueLimit = reader.Int64("queue_limit");
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
        return error is null ? new RunQuery(job, queueLimit, flags) : null;
    }

    private static DateTimeOffset? After(DateTimeOffset now, long seconds, QueryReader reader)
    {
        var limit = (DateTimeOffset.MaxValue - now).TotalSeconds;
        return seconds < limit ? now.AddSeconds(seconds) : reader.Fail<DateTimeOffset>("scheduled_in_secs: too far in the future");
    }
}
