using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Tests.Storage;

namespace Windmill.Webhooks.Tests.Jobs;

/// <summary>What the runner keeps in memory per job: nothing once nobody waits for it.</summary>
public sealed class JobRunnerMemoryTests
{
    private readonly ScriptedExecutor _executor = new();

    [Fact]
    public async Task Waiting_for_jobs_that_already_completed_keeps_nothing()
    {
        await using var runner = Runners.Create(new InMemoryJobStore(), _executor);
        await runner.StartAsync(CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            var job = await runner.EnqueueAsync(NewJob(ScriptedExecutor.Succeed(i)), CancellationToken.None);
            Assert.Equal(JobStatus.Success, (await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None))?.Status);
            Assert.Equal(JobStatus.Success, (await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None))?.Status);
        }

        Assert.Null(await runner.WaitForCompletionAsync("demo", Guid.CreateVersion7(), CancellationToken.None));
        Assert.Equal(0, runner.WaitedJobCount);
    }

    [Fact]
    public async Task A_wait_that_is_canceled_or_for_another_workspace_keeps_nothing_and_others_still_get_the_result()
    {
        await using var runner = Runners.Create(new InMemoryJobStore(), _executor);
        await runner.StartAsync(CancellationToken.None);
        var job = await runner.EnqueueAsync(NewJob(ScriptedExecutor.Block()), CancellationToken.None);
        await _executor.WhenStarted(job.Id);

        var waiting = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        using (var cancel = new CancellationTokenSource())
        {
            var canceled = runner.WaitForCompletionAsync("demo", job.Id, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
        }

        Assert.Null(await runner.WaitForCompletionAsync("other", job.Id, CancellationToken.None));
        Assert.Equal(1, runner.WaitedJobCount);

        _executor.Release();
        Assert.Equal(JobStatus.Success, (await waiting)?.Status);
        Assert.Equal(0, runner.WaitedJobCount);
    }

    private static NewJob NewJob(System.Text.Json.JsonElement args) => new()
    {
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/bot/hello", new ScriptHash(1)),
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
    };
}
