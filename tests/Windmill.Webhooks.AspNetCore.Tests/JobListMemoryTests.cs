using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>Tests that measure the process's allocations, so they run with nothing else beside them.</summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>
/// What a job list costs the server grows with the page, not with the workspace: a page with args holds at most 100
/// jobs, and a list without args never loads them (nor results and logs, which lists never show).
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class JobListMemoryTests(ITestOutputHelper output) : SampleAppTest
{
    private const int ArgsBytes = 64 * 1024;

    [Theory]
    [InlineData("/jobs/list?include_args=true&per_page=10000")]
    [InlineData("/jobs/completed/list?include_args=true&per_page=10000")]
    public async Task A_list_with_args_allocates_no_more_for_four_times_the_jobs(string route)
    {
        await AddEchoJobsAsync(100);
        var atN = await AllocatedByAsync(route);
        await AddEchoJobsAsync(300);
        var at4N = await AllocatedByAsync(route);
        output.WriteLine($"{route}: {atN:N0} bytes allocated with 100 jobs, {at4N:N0} with 400");

        // Four times the jobs would allocate about four times as much if the page followed the workspace.
        Assert.InRange(at4N, 0, atN * 5 / 4);
    }

    [Theory]
    [InlineData("/jobs/list?per_page=10000")]
    [InlineData("/jobs/completed/list?per_page=10000")]
    public async Task A_list_without_args_never_loads_args_or_results(string route)
    {
        await AddEchoJobsAsync(400);

        var allocated = await AllocatedByAsync(route);
        output.WriteLine($"{route}: {allocated:N0} bytes allocated for 400 jobs");

        // Each of the 400 jobs holds 64 KiB of args and the same result: 50 MiB that a list must not read.
        Assert.InRange(allocated, 0, 400L * ArgsBytes / 10);
    }

    // Runs echo jobs with 64 KiB of args (its result is the same again) and waits until they are done.
    private async Task AddEchoJobsAsync(int count)
    {
        var args = $$"""{"blob":"{{new string('x', ArgsBytes - 11)}}"}""";
        for (var done = 0; done < count; done += 20)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(20, count - done)).Select(async _ =>
                await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/echo", Wire.JsonBody(args)))));
            foreach (var id in batch)
            {
                await App.WaitForCompletionAsync(id);
            }
        }
    }

    // The bytes the whole process allocated while one list was answered and read, after a first answer warmed everything up.
    private async Task<long> AllocatedByAsync(string route)
    {
        await ReadAsync(route);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await ReadAsync(route);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private async Task ReadAsync(string route)
    {
        using var response = await Client.GetAsync(SampleApp.Api + route, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
    }
}
