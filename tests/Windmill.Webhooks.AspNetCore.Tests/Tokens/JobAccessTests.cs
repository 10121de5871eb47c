using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// Who sees and cancels which jobs (docs/wire-format.md §4, §6.5), with real tokens. Alice owns every script of the host;
/// bob and carol are users who are not admins; <c>ops</c> is an admin; the admin token is a superadmin's. The hook
/// token is alice's, scoped to run <c>u/alice/hello</c> only.
/// </summary>
public sealed class JobAccessTests : IAsyncLifetime
{
    private const string Text = "text/plain; charset=utf-8";
    private const string Api = "/api/w/demo";
    private const string Admin = TokenApiHost.AdminToken;
    private TokenApiHost _host = null!;
    private string _alice = null!, _bob = null!, _carol = null!, _ops = null!, _hook = null!;

    // The hook's own run; alice's run of another script; bob's run of the hook's script, hidden from its owner;
    // bob's blocking run, hidden from its owner; bob's blocking run that its owner may see; carol's run.
    private Guid _hooksJob, _alicesOther, _bobsHidden, _bobsBlock, _bobsVisibleBlock, _carolsJob;

    private HttpClient Client => _host.Client;

    private IJobRunner Runner => _host.Services.GetRequiredService<IJobRunner>();

    public async ValueTask InitializeAsync()
    {
        _host = await TokenApiHost.StartAsync();
        (_alice, _bob, _carol, _ops) = (await _host.MintAsync("alice"), await _host.MintAsync("bob"), await _host.MintAsync("carol"), await _host.MintAsync("ops"));
        _hook = await _host.MintAsync("alice", scopes: ["jobs:run:scripts:u/alice/hello"], workspace: "demo", label: "webhook-alice-x1Ab");
        _hooksJob = await RunAsync(_hook, "u/alice/hello");
        _alicesOther = await RunAsync(_alice, "u/alice/other");
        _bobsHidden = await RunAsync(_bob, "u/alice/hello?invisible_to_owner=true");
        _carolsJob = await RunAsync(_carol, "u/alice/other");
        foreach (var done in new[] { _hooksJob, _alicesOther, _bobsHidden, _carolsJob })
        {
            await Runner.WaitForCompletionAsync("demo", done, CancellationToken.None);
        }

        _bobsBlock = await RunAsync(_bob, "u/alice/block?invisible_to_owner=true");
        _bobsVisibleBlock = await RunAsync(_bob, "u/alice/block");
    }

    public async ValueTask DisposeAsync()
    {
        await Runner.CancelAsync("demo", _bobsBlock, "test", null, audit: null, CancellationToken.None);
        await Runner.CancelAsync("demo", _bobsVisibleBlock, "test", null, audit: null, CancellationToken.None);
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("/jobs/list")]
    [InlineData("/jobs/list?include_args=true")]
    [InlineData("/jobs/completed/list")]
    [InlineData("/jobs/queue/list")]
    public async Task A_run_scoped_token_lists_nothing(string route) =>
        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: jobs:read"), await Client.SendAsync(HttpMethod.Get, Api + route, _hook));

    [Fact]
    public async Task A_run_scoped_token_reads_the_jobs_of_its_own_runnable_by_id()
    {
        var job = await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/get/{_hooksJob}", _hook);
        var result = await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/completed/get_result/{_hooksJob}", _hook);
        var maybe = await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/completed/get_result_maybe/{_hooksJob}", _hook);

        Assert.Equal(HttpStatusCode.OK, job.Status);
        Assert.Equal(_hooksJob, JsonDocument.Parse(job.Body).RootElement.GetProperty("id").GetGuid());
        Assert.Equal((HttpStatusCode.OK, "application/json", "\"Hello, world!\""), result);
        Assert.Equal((HttpStatusCode.OK, "application/json", """{"started":true,"success":true,"completed":true,"result":"Hello, world!"}"""), maybe);
    }

    [Theory]
    [InlineData("/jobs_u/get/")]
    [InlineData("/jobs_u/completed/get/")]
    [InlineData("/jobs_u/completed/get_result/")]
    [InlineData("/jobs_u/completed/get_timing/")]
    [InlineData("/jobs_u/getupdate/")]
    public async Task A_run_scoped_token_finds_no_other_job(string route)
    {
        // Another script of the same owner, and its own script run by someone it may not see: both as if they did not exist.
        foreach (var other in new[] { _alicesOther, _bobsHidden })
        {
            Assert.Equal((HttpStatusCode.NotFound, Text, $"Not found: Job {other} not found"), await Client.SendAsync(HttpMethod.Get, Api + route + other, _hook));
        }
    }

    [Fact]
    public async Task A_run_scoped_token_sees_another_job_as_unfinished_in_get_result_maybe() =>
        Assert.Equal((HttpStatusCode.OK, "application/json", """{"started":null,"success":null,"completed":false,"result":null}"""),
            await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/completed/get_result_maybe/{_alicesOther}", _hook));

    [Theory]
    [InlineData("/jobs_u/queue/cancel/")]
    [InlineData("/jobs_u/queue/force_cancel/")]
    public async Task A_run_scoped_token_cancels_nothing(string route)
    {
        var running = await Client.SendAsync(HttpMethod.Post, Api + route + _bobsVisibleBlock, _hook, "{}");
        var unknown = await Client.SendAsync(HttpMethod.Post, Api + route + Guid.CreateVersion7(), _hook, "{}");

        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: jobs:write"), running);
        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: jobs:write"), unknown);
        Assert.False((await Runner.GetAsync("demo", _bobsVisibleBlock, CancellationToken.None))!.IsCompleted);
    }

    [Theory]
    [InlineData("/jobs/list", "carolsJob", "bobsVisibleBlock,bobsBlock,bobsHidden", "bobsVisibleBlock,carolsJob,alicesOther,hooksJob")]
    [InlineData("/jobs/completed/list", "carolsJob", "bobsHidden", "carolsJob,alicesOther,hooksJob")]
    [InlineData("/jobs/queue/list", "", "bobsVisibleBlock,bobsBlock", "bobsVisibleBlock")]
    public async Task A_user_lists_only_the_jobs_they_may_see(string route, string carolSees, string bobSees, string aliceSees)
    {
        Assert.Equal(carolSees, await ListAsync(route, _carol));
        Assert.Equal(bobSees, await ListAsync(route, _bob));
        // The owner of the scripts also sees the runs of them that were not made invisible to their owner.
        Assert.Equal(aliceSees, await ListAsync(route, _alice));
        Assert.Equal(aliceSees, await ListAsync(route + "?include_args=true&per_page=10000", _alice));
    }

    [Fact]
    public async Task A_user_may_not_read_a_job_they_may_not_see()
    {
        foreach (var (reader, job) in new[] { (_carol, _bobsBlock), (_carol, _alicesOther), (_alice, _bobsBlock), (_alice, _bobsHidden), (_bob, _carolsJob) })
        {
            Assert.Equal((HttpStatusCode.Forbidden, Text, $"Permission denied: You do not have access to run {job}"),
                await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/get/{job}", reader));
            Assert.Equal(HttpStatusCode.Forbidden, (await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/completed/get_result_maybe/{job}", reader)).Status);
        }

        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/get/{_bobsVisibleBlock}", _alice)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/get/{_carolsJob}", _carol)).Status);
    }

    [Fact]
    public async Task A_user_may_not_cancel_a_job_they_may_not_see()
    {
        var byCarol = await Client.SendAsync(HttpMethod.Post, $"{Api}/jobs_u/queue/cancel/{_bobsBlock}", _carol, """{"reason":"mine now"}""");
        var byOwner = await Client.SendAsync(HttpMethod.Post, $"{Api}/jobs_u/queue/force_cancel/{_bobsBlock}", _alice, "{}");

        Assert.Equal((HttpStatusCode.Forbidden, Text, $"Permission denied: You do not have access to run {_bobsBlock}"), byCarol);
        Assert.Equal((HttpStatusCode.Forbidden, Text, $"Permission denied: You do not have access to run {_bobsBlock}"), byOwner);
        Assert.False((await Runner.GetAsync("demo", _bobsBlock, CancellationToken.None))!.IsCompleted);
        Assert.DoesNotContain("jobs.cancel", (await Client.SendAsync(HttpMethod.Get, $"{Api}/audit/list", Admin)).Body, StringComparison.Ordinal);

        Assert.Equal((HttpStatusCode.OK, Text, _bobsBlock.ToString()), await Client.SendAsync(HttpMethod.Post, $"{Api}/jobs_u/queue/cancel/{_bobsBlock}", _bob, "{}"));
    }

    [Theory]
    [InlineData("ops")]
    [InlineData("superadmin")]
    public async Task Admins_see_and_cancel_in_the_whole_workspace(string who)
    {
        var token = who == "ops" ? _ops : Admin;

        Assert.Equal("bobsVisibleBlock,bobsBlock,carolsJob,bobsHidden,alicesOther,hooksJob", await ListAsync("/jobs/list", token));
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(HttpMethod.Get, $"{Api}/jobs_u/get/{_bobsHidden}", token)).Status);
        Assert.Equal((HttpStatusCode.OK, Text, _bobsBlock.ToString()), await Client.SendAsync(HttpMethod.Post, $"{Api}/jobs_u/queue/cancel/{_bobsBlock}", token, "{}"));
    }

    private async Task<Guid> RunAsync(string token, string pathAndQuery)
    {
        var (status, _, body) = await Client.SendAsync(HttpMethod.Post, $"{Api}/jobs/run/p/{pathAndQuery}", token, "{}");
        Assert.Equal(HttpStatusCode.Created, status);
        _host.Time.Advance(TimeSpan.FromSeconds(1)); // ids and lists are ordered by time
        return Guid.Parse(body);
    }

    // The listed jobs by the names of the fields above, newest first.
    private async Task<string> ListAsync(string route, string token)
    {
        var (status, _, body) = await Client.SendAsync(HttpMethod.Get, Api + route, token);
        Assert.Equal(HttpStatusCode.OK, status);
        var names = new Dictionary<Guid, string>
        {
            [_hooksJob] = "hooksJob", [_alicesOther] = "alicesOther", [_bobsHidden] = "bobsHidden", [_carolsJob] = "carolsJob",
            [_bobsBlock] = "bobsBlock", [_bobsVisibleBlock] = "bobsVisibleBlock",
        };
        return string.Join(",", JsonDocument.Parse(body).RootElement.EnumerateArray().Select(job => names[job.GetProperty("id").GetGuid()]));
    }
}
