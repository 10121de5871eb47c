using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// <c>MaxQueuedJobsPerWorkspace</c>: a workspace holds at most that many unfinished jobs; a run beyond it is a 429 in
/// Windmill's text format before anything is written, and runs are accepted again as jobs finish.
/// </summary>
public sealed class QueueCapTests
{
    private const string Full = "Too many requests: workspace demo already holds 3 unfinished jobs, the most it accepts; retry once some have run";

    [Fact]
    public async Task The_run_past_the_cap_is_429_writes_nothing_and_runs_once_jobs_have_finished()
    {
        await using var host = await BlockingScriptHost.StartAsync(options => options.MaxQueuedJobsPerWorkspace = 3);
        var held = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await Wire.AssertCreatedJobAsync(await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/block", Wire.JsonBody("{}"))));
        }

        using var async = await PostWithKeyAsync(host, "/jobs/run/p/u/test/echo", "after-the-cap");
        using var sync = await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run_wait_result/p/u/test/echo", Wire.JsonBody("{}"));
        var jobsWhileFull = await host.CountJobsAsync();
        using var audit = await host.Client.GetAsync($"{BlockingScriptHost.Api}/audit/list?operation=jobs.run.script");
        var auditedWhileFull = (await audit.Content.ReadAsStringAsync()).Split("\"jobs.run.script\"").Length - 1;

        await Wire.AssertAsync(async, HttpStatusCode.TooManyRequests, Wire.Text, Full);
        await Wire.AssertAsync(sync, HttpStatusCode.TooManyRequests, Wire.Text, Full);
        Assert.Equal((3, 3), (jobsWhileFull, auditedWhileFull));

        host.ReleaseScript();
        foreach (var id in held)
        {
            await host.WaitForCompletionAsync(id);
        }

        // The refused key was left unused: the same request now runs.
        using var retried = await PostWithKeyAsync(host, "/jobs/run/p/u/test/echo", "after-the-cap");
        var id4 = await Wire.AssertCreatedJobAsync(retried);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("{}", (await host.WaitForCompletionAsync(id4)).Result?.GetRawText());
    }

    [Fact]
    public async Task Concurrent_runs_at_the_cap_are_admitted_exactly_up_to_it()
    {
        await using var host = await BlockingScriptHost.StartAsync(options => options.MaxQueuedJobsPerWorkspace = 3);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/block", Wire.JsonBody("{}")))).Within();

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(3, await host.CountJobsAsync());
    }

    [Fact]
    public async Task A_canceled_job_frees_its_place_at_once()
    {
        await using var host = await BlockingScriptHost.StartAsync(options => options.MaxQueuedJobsPerWorkspace = 1);
        var first = await Wire.AssertCreatedJobAsync(await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/block", Wire.JsonBody("{}")));
        using var refused = await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/echo", Wire.JsonBody("{}"));

        using var cancel = await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs_u/queue/cancel/{first}", Wire.JsonBody("""{"reason":"make room"}"""));
        using var accepted = await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/echo", Wire.JsonBody("{}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await Wire.AssertCreatedJobAsync(accepted);
    }

    private static Task<HttpResponseMessage> PostWithKeyAsync(BlockingScriptHost host, string route, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, BlockingScriptHost.Api + route) { Content = Wire.JsonBody("{}") };
        request.Headers.Add("Idempotency-Key", key);
        return host.Client.SendAsync(request);
    }
}
