using System.Collections.Concurrent;
using System.Text.Json;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// An <see cref="IJobExecutor"/> driven by each job's args, for runner tests:
/// <c>{"succeed": value}</c> returns value; <c>{"fail": "message"}</c> fails;
/// <c>{"block": true}</c> waits for <see cref="Release"/> (or cancellation) and returns <c>"released"</c>;
/// <c>{"spawn": n}</c> suspends until n child jobs (each succeeding with its index) completed, then returns n.
/// </summary>
public sealed class ScriptedExecutor : IJobExecutor
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _started = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _canceled = new();
    private readonly ConcurrentDictionary<Guid, int> _executions = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Args of a job that returns <paramref name="value"/>.</summary>
    public static JsonElement Succeed(object? value) => JsonSerializer.SerializeToElement(new { succeed = value });

    /// <summary>Args of a job that fails with <paramref name="message"/>.</summary>
    public static JsonElement Fail(string message) => JsonSerializer.SerializeToElement(new { fail = message });

    /// <summary>Args of a job that runs until <see cref="Release"/> is called or it is canceled.</summary>
    public static JsonElement Block() => JsonSerializer.SerializeToElement(new { block = true });

    /// <summary>Args of a job that suspends until <paramref name="children"/> child jobs complete, then returns their count.</summary>
    public static JsonElement Spawn(int children) => JsonSerializer.SerializeToElement(new { spawn = children });

    /// <summary>Completes when the job has started executing.</summary>
    public Task WhenStarted(Guid id) => Signal(_started, id).Task;

    /// <summary>Completes when the job's execution saw its cancellation.</summary>
    public Task WhenCanceled(Guid id) => Signal(_canceled, id).Task;

    /// <summary>How many times the job was executed.</summary>
    public int Executions(Guid id) => _executions.GetValueOrDefault(id);

    /// <summary>Lets every blocked job finish.</summary>
    public void Release() => _release.TrySetResult();

    /// <inheritdoc />
    public bool CanExecute(Job job) => true;

    /// <inheritdoc />
    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var execution = _executions.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        Signal(_started, job.Id).TrySetResult();
        if (job.Args.TryGetProperty("fail", out var message))
        {
            return JobOutcome.Failure("Error", message.GetString()!);
        }

        if (job.Args.TryGetProperty("spawn", out var spawn))
        {
            // First run: start the children and wait for them without a worker; the next run is the resumption.
            return execution == 1
                ? JobOutcome.Suspend(Enumerable.Range(0, spawn.GetInt32()).Select(i => new NewJob
                {
                    Workspace = job.Workspace,
                    Runnable = job.Runnable,
                    Args = Succeed(i),
                    CreatedBy = job.CreatedBy,
                    PermissionedAs = job.PermissionedAs,
                }).ToList())
                : JobOutcome.Success(spawn.Clone());
        }

        if (job.Args.TryGetProperty("block", out _))
        {
            try
            {
                await _release.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Signal(_canceled, job.Id).TrySetResult();
                throw;
            }

            return JobOutcome.Success(JsonSerializer.SerializeToElement("released"));
        }

        return JobOutcome.Success(job.Args.TryGetProperty("succeed", out var value) ? value.Clone() : default);
    }

    private static TaskCompletionSource Signal(ConcurrentDictionary<Guid, TaskCompletionSource> signals, Guid id) =>
        signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
