using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tests.Storage;

namespace Windmill.Webhooks.Tests.Diagnostics;

/// <summary>
/// What an OpenTelemetry host sees of the job engine once it adds the <c>Windmill.Webhooks</c> source and meter. Each
/// test uses a workspace of its own, and the class runs alone: listeners are process-wide, and the SDK merges the
/// same-named meters of every runner of the process, so another test's runner stopping would end the merged stream.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class JobTelemetryTests : IAsyncLifetime
{
    private static readonly ActivitySource Requests = new("Windmill.Webhooks.Tests.Requests");
    private readonly string _workspace = "telemetry-" + Guid.NewGuid().ToString("N");
    private readonly TemporaryDatabase _file = new();
    private readonly ScriptedExecutor _executor = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_jobs_run_is_linked_to_the_enqueue_of_the_request_that_created_it_even_after_a_restart()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(WindmillTelemetry.Name, Requests.Name).AddInMemoryExporter(spans).Build())
        {
            Guid id;
            ActivityContext request;
            await using (var stopped = Runners.Create(new SqliteJobStore(_file.Open()), _executor, _clock))
            {
                // Accepted while no worker runs here: the job waits in the database for the next process.
                using var requestActivity = Requests.StartActivity("POST webhook")!;
                request = requestActivity.Context;
                id = (await stopped.EnqueueAsync(Job(ScriptedExecutor.Succeed("later")), CancellationToken.None)).Id;
            }

            await using var restarted = Runners.Create(new SqliteJobStore(_file.Open()), _executor, _clock);
            await restarted.StartAsync(CancellationToken.None);
            await restarted.WaitForCompletionAsync(_workspace, id, CancellationToken.None);
            await restarted.StopAsync(CancellationToken.None);
            tracing.ForceFlush();

            var ours = spans.Where(s => (string?)s.GetTagItem("windmill.job.id") == id.ToString()).ToList();
            var enqueue = Assert.Single(ours, s => s.OperationName == "enqueue");
            var run = Assert.Single(ours, s => s.OperationName == "run");
            Assert.Equal((ActivityKind.Producer, request.TraceId, request.SpanId), (enqueue.Kind, enqueue.TraceId, enqueue.ParentSpanId));
            Assert.Equal(ActivityKind.Consumer, run.Kind);
            Assert.NotEqual(request.TraceId, run.TraceId); // its own trace, not the request's, which ended long before
            var link = Assert.Single(run.Links);
            Assert.Equal((enqueue.TraceId, enqueue.SpanId), (link.Context.TraceId, link.Context.SpanId));
            Assert.Equal(("u/bot/hello", _workspace), (run.GetTagItem("windmill.runnable.path"), run.GetTagItem("windmill.workspace")));
        }
    }

    [Fact]
    public async Task A_failed_job_marks_its_run_span_as_an_error()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(WindmillTelemetry.Name).AddInMemoryExporter(spans).Build();
        await using var runner = Runners.Create(new SqliteJobStore(_file.Open()), _executor, _clock);
        await runner.StartAsync(CancellationToken.None);

        var job = await runner.EnqueueAsync(Job(ScriptedExecutor.Fail("boom")), CancellationToken.None);
        await runner.WaitForCompletionAsync(_workspace, job.Id, CancellationToken.None);
        await runner.StopAsync(CancellationToken.None);
        tracing.ForceFlush();

        var run = Assert.Single(spans, s => s.OperationName == "run" && (string?)s.GetTagItem("windmill.job.id") == job.Id.ToString());
        Assert.Equal(ActivityStatusCode.Error, run.Status);
    }

    [Fact]
    public async Task Jobs_report_how_many_were_enqueued_and_completed_how_long_they_waited_and_ran_and_the_queue_depth()
    {
        var exported = new List<Metric>();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(WindmillTelemetry.Name).AddInMemoryExporter(exported).Build();
        await using var runner = Runners.Create(new SqliteJobStore(_file.Open()), _executor, _clock,
            new WindmillWebhooksOptions { WorkerCount = 1 });
        await runner.StartAsync(CancellationToken.None);

        var blocked = await runner.EnqueueAsync(Job(ScriptedExecutor.Block()), CancellationToken.None);
        await _executor.WhenStarted(blocked.Id);
        var waiting = await runner.EnqueueAsync(Job(ScriptedExecutor.Fail("boom")), CancellationToken.None);
        metering.ForceFlush();
        var depthWhileBusy = Gauge(exported, "windmill.queue.depth");

        _clock.Advance(TimeSpan.FromSeconds(3)); // the first job runs 3 s; the second waits as long for the only worker
        _executor.Release();
        await runner.WaitForCompletionAsync(_workspace, blocked.Id, CancellationToken.None);
        await runner.WaitForCompletionAsync(_workspace, waiting.Id, CancellationToken.None);
        exported.Clear();
        metering.ForceFlush();

        Assert.Equal(2, depthWhileBusy);
        Assert.Equal(0, Gauge(exported, "windmill.queue.depth"));
        Assert.Equal(2, Sum(exported, "windmill.jobs.enqueued"));
        Assert.Equal(1, Sum(exported, "windmill.jobs.completed", ("windmill.job.status", "success")));
        Assert.Equal(1, Sum(exported, "windmill.jobs.completed", ("windmill.job.status", "failure")));
        Assert.Equal((2, 3.0), Histogram(exported, "windmill.job.duration")); // 3 s and 0 s
        Assert.Equal((2, 3.0), Histogram(exported, "windmill.job.queue_wait")); // 0 s and 3 s
        Assert.Equal(("{job}", "s"), (Unit(exported, "windmill.jobs.completed"), Unit(exported, "windmill.job.duration")));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _executor.Release();
        return _file.DisposeAsync();
    }

    private NewJob Job(System.Text.Json.JsonElement args) => new()
    {
        Workspace = _workspace,
        Runnable = new(JobKind.Script, "u/bot/hello", new ScriptHash(1)),
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        TriggerKind = "webhook",
    };

    private IEnumerable<MetricPoint> Points(List<Metric> exported, string name, (string Key, string Value)? tag = null)
    {
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var workspace = false;
                var matches = tag is null;
                foreach (var pair in point.Tags)
                {
                    workspace |= pair.Key == "windmill.workspace" && (string?)pair.Value == _workspace;
                    matches |= tag is { } wanted && pair.Key == wanted.Key && (string?)pair.Value == wanted.Value;
                }

                if (workspace && matches)
                {
                    yield return point;
                }
            }
        }
    }

    private long Sum(List<Metric> exported, string name, (string, string)? tag = null) =>
        Points(exported, name, tag).Sum(point => point.GetSumLong());

    private long Gauge(List<Metric> exported, string name) => Points(exported, name).Select(point => point.GetGaugeLastValueLong()).Single();

    private (long Count, double Sum) Histogram(List<Metric> exported, string name)
    {
        var points = Points(exported, name).ToList();
        return (points.Sum(point => point.GetHistogramCount()), points.Sum(point => point.GetHistogramSum()));
    }

    private static string Unit(List<Metric> exported, string name) => exported.First(m => m.Name == name).Unit;
}

[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
