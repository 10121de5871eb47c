using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Runs flow jobs. A flow job never waits for its steps while holding a worker: each time it runs, it reads its
/// <see cref="Job.FlowStatus"/>, takes in the results of the step jobs it waited for, goes through the steps that need no
/// job (identity, mocks, skips, branch choices), and either completes or suspends on the next step jobs, with its new
/// status in the same commit. A loop's iteration, or a branch, runs as a flow job of its own over the loop's modules.
/// </summary>
internal sealed class FlowJobExecutor : IJobExecutor
{
    private readonly IJobStore _jobs;
    private readonly CachingScriptStore _scripts;
    private readonly IFlowStore _flows;
    private readonly IFlowExpressionEvaluator? _expressions;
    private readonly TimeProvider _time;

    public FlowJobExecutor(IJobStore jobs, CachingScriptStore scripts, IFlowStore flows, TimeProvider time,
        IFlowExpressionEvaluator? expressions = null)
    {
        _jobs = jobs;
        _scripts = scripts;
        _flows = flows;
        _time = time;
        _expressions = expressions;
    }

    public bool CanExecute(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Runnable.Kind == JobKind.Flow;
    }

    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        FlowDefinition flow;
        try
        {
            using var document = JsonDocument.Parse(job.Runnable.RawCode ?? "null");
            flow = FlowDefinitionParser.Parse(document.RootElement.Clone());
        }
        catch (Exception e) when (e is FlowDefinitionException or JsonException)
        {
            return JobOutcome.Failure("FlowDefinitionError", $"The flow {job.Runnable.Path} cannot run: {e.Message}");
        }

        var status = job.FlowStatus is { } stored ? FlowStatus.Read(stored) : FlowStatus.Start(flow);
        var run = new FlowRun(this, job, flow, status, cancellationToken);
        JobOutcome outcome;
        try
        {
            outcome = await run.AdvanceAsync().ConfigureAwait(false);
        }
        catch (FlowStepException e)
        {
            outcome = JobOutcome.Failure(e.Name, e.Message);
        }

        outcome = outcome.WithFlowStatus(status.ToJson());
        return run.EarlyResult is { } early ? outcome.WithEarlyResult(early) : outcome;
    }

    /// <summary>One execution of one flow job: from its stored status to its next suspension or its end.</summary>
    private sealed class FlowRun(FlowJobExecutor engine, Job job, FlowDefinition flow, FlowStatus status, CancellationToken cancellationToken)
    {
        private readonly List<NewJob> _children = [];
        private readonly DateTimeOffset _now = engine._time.GetUtcNow();

        private readonly Dictionary<string, JsonElement> _outerResults = [];
        private JsonElement? _outerPrevious;

        /// <summary>The <c>early_return</c> step's result, when this run finished that step; the runner hands it over once committed.</summary>
        public JsonElement? EarlyResult { get; private set; }

        public async Task<JobOutcome> AdvanceAsync()
        {
            await ReadParentResultsAsync().ConfigureAwait(false);
            if (status.FailureModule is { Pending.Count: > 0 } failureStatus)
            {
                // The failure module ran: the flow fails with what it returned.
                var ran = await ReadAsync(failureStatus.Pending[0].Job).ConfigureAwait(false);
                failureStatus.Pending = null;
                failureStatus.Type = ran.Status == JobStatus.Success ? FlowModuleStatus.Success : FlowModuleStatus.Failure;
                failureStatus.Result = ran.Result;
                return JobOutcome.Failure(ran.Result ?? status.Error ?? Null);
            }

            while (status.Step < flow.Modules.Count)
            {
                var module = flow.Modules[status.Step];
                var state = status.Modules[status.Step];
                var step = await StepAsync(module, state).ConfigureAwait(false);
                if (step.Suspended)
                {
                    return JobOutcome.Suspend(_children);
                }

                if (!step.Succeeded && !module.ContinueOnError)
                {
                    // A step whose job failed is tried again; one that failed before any job (a bad expression, a missing
                    // script) would fail the same way at once.
                    if (module.Retry is { } retry && step.FromJob && (state.FailCount ?? 0) < retry.Attempts)
                    {
                        // Try the step again, from scratch, after the retry's delay.
                        var attempt = (state.FailCount ?? 0) + 1;
                        status.Modules[status.Step] = state = new FlowModuleStatus { Id = module.Id, FailCount = attempt };
                        status.SleepUntil = _now + retry.DelayBefore(attempt);
                        continue;
                    }

                    state.Type = FlowModuleStatus.Failure;
                    state.Result = step.Result;
                    return await FailAsync(module, step.Result).ConfigureAwait(false);
                }

                state.Type = FlowModuleStatus.Success;
                state.Result = step.Result;
                status.Step++;
                if (module.Id == flow.EarlyReturn)
                {
                    EarlyResult = step.Result;
                }

                if (module.StopAfterIf is { } stop && !StopsPerIteration(module)
                    && Truthy(await EvaluateAsync(module, "stop_after_if", stop, result: step.Result).ConfigureAwait(false)))
                {
                    status.Step = flow.Modules.Count;
                    return JobOutcome.Success(step.Result);
                }

                if (module.Sleep is { } sleep)
                {
                    status.SleepUntil = _now + Seconds(module, "sleep", await InputAsync(module, "sleep", sleep).ConfigureAwait(false));
                }
            }

            return JobOutcome.Success(PreviousResult());
        }

        // A step: started when it has not been, else taken on from the jobs it waited for. Expression errors fail the step.
        private async Task<StepResult> StepAsync(FlowModule module, FlowModuleStatus state)
        {
            try
            {
                return state.Pending is { Count: > 0 }
                    ? await CollectAsync(module, state).ConfigureAwait(false)
                    : await StartAsync(module, state).ConfigureAwait(false);
            }
            catch (FlowStepException e)
            {
                state.Pending = null;
                return StepResult.Failure(JobErrors.Create(e.Name, e.Message));
            }
        }

        private async Task<StepResult> StartAsync(FlowModule module, FlowModuleStatus state)
        {
            state.Type = FlowModuleStatus.InProgress;
            if (module.SkipIf is { } skip && Truthy(await EvaluateAsync(module, "skip_if", skip).ConfigureAwait(false)))
            {
                state.Skipped = true;
                return StepResult.Success(Null);
            }

            if (module.Mock is { } mock)
            {
                return StepResult.Success(mock);
            }

            switch (module.Value)
            {
                case IdentityModule:
                    return StepResult.Success(PreviousResult());

                case ScriptModule script:
                {
                    var version = await FindScriptAsync(module, script).ConfigureAwait(false);
                    var args = await InputsAsync(module, script.Inputs).ConfigureAwait(false);
                    await StartJobAsync(module, state, Runnable.Script(version), args, 0, version.Timeout).ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case RawScriptModule raw:
                {
                    var runnable = new Runnable(JobKind.FlowScript, $"{job.Runnable.Path}/{module.Id}", ScriptHash.Of(raw.Content))
                    {
                        Language = raw.Language,
                        RawCode = raw.Content,
                    };
                    await StartJobAsync(module, state, runnable, await InputsAsync(module, raw.Inputs).ConfigureAwait(false), 0).ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case SubFlowModule sub:
                {
                    var version = await engine._flows.GetLatestAsync(job.Workspace, sub.Path, cancellationToken).ConfigureAwait(false);
                    if (version is null || version.Archived)
                    {
                        throw new FlowStepException("FlowNotFound", $"Step `{module.Id}`: flow {sub.Path} not found");
                    }

                    await StartJobAsync(module, state, Runnable.Flow(version), await InputsAsync(module, sub.Inputs).ConfigureAwait(false), 0)
                        .ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case ForLoopModule loop:
                {
                    var items = await InputAsync(module, "iterator", loop.Iterator).ConfigureAwait(false);
                    if (items.ValueKind != JsonValueKind.Array)
                    {
                        throw new FlowStepException("FlowIteratorError",
                            $"Step `{module.Id}`: the iterator must evaluate to an array; it is {Describe(items)}");
                    }

                    state.Iterator = new FlowIteratorStatus { Index = 0, Itered = items };
                    state.Results = [];
                    state.FlowJobs = [];
                    if (items.GetArrayLength() == 0)
                    {
                        return StepResult.Success(EmptyArray);
                    }

                    await StartIterationsAsync(module, loop, state).ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case WhileLoopModule loop:
                    state.Iterator = new FlowIteratorStatus { Index = 0 };
                    state.Results = [];
                    state.FlowJobs = [];
                    await StartBodyAsync(module, state, loop.Body, Iteration(Null, 0), 0).ConfigureAwait(false);
                    return StepResult.Waiting;

                case BranchOneModule one:
                {
                    var chosen = one.Default;
                    state.BranchChosen = new FlowBranchChosen { Type = "default" };
                    for (var i = 0; i < one.Branches.Count; i++)
                    {
                        if (Truthy(await EvaluateAsync(module, $"the condition of branch {i}", one.Branches[i].Expression!).ConfigureAwait(false)))
                        {
                            chosen = one.Branches[i];
                            state.BranchChosen = new FlowBranchChosen { Type = "branch", Branch = i };
                            break;
                        }
                    }

                    if (chosen.Modules.Count == 0)
                    {
                        return StepResult.Success(PreviousResult());
                    }

                    await StartBodyAsync(module, state, chosen.Body, job.Args, 0).ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case BranchAllModule all:
                    state.Results = [];
                    state.FlowJobs = [];
                    state.Branchall = new FlowBranchAllStatus { Branch = 0, Len = all.Branches.Count };
                    if (all.Branches.Count == 0)
                    {
                        return StepResult.Success(EmptyArray);
                    }

                    for (var i = 0; i < (all.Parallel ? all.Branches.Count : 1); i++)
                    {
                        state.Results.Add(Null);
                        await StartBodyAsync(module, state, all.Branches[i].Body, job.Args, i).ConfigureAwait(false);
                    }

                    return StepResult.Waiting;

                default:
                    throw new FlowStepException("FlowDefinitionError", $"Step `{module.Id}`: this module type cannot run");
            }
        }

        // Takes in the jobs a step waited for, and either ends the step or starts its next jobs (iterations, branches).
        private async Task<StepResult> CollectAsync(FlowModule module, FlowModuleStatus state)
        {
            var finished = new List<(FlowPendingJob Pending, Job Job)>();
            foreach (var pending in state.Pending!)
            {
                finished.Add((pending, await ReadAsync(pending.Job).ConfigureAwait(false)));
            }

            state.Pending = null;
            switch (module.Value)
            {
                case ForLoopModule loop:
                {
                    foreach (var (pending, ran) in finished.OrderBy(f => f.Pending.Index))
                    {
                        if (ran.Status != JobStatus.Success && !loop.SkipFailures)
                        {
                            return StepResult.JobFailure(ran.Result);
                        }

                        state.Results![pending.Index] = ran.Result ?? Null;
                        if (module.StopAfterIf is { } stop && StopsPerIteration(module)
                            && Truthy(await EvaluateAsync(module, "stop_after_if", stop, result: ran.Result).ConfigureAwait(false)))
                        {
                            return StepResult.Success(ToArray(state.Results));
                        }
                    }

                    if (state.Iterator!.Index + 1 < state.Iterator.Itered!.Value.GetArrayLength())
                    {
                        state.Iterator.Index++;
                        await StartIterationsAsync(module, loop, state).ConfigureAwait(false);
                        return StepResult.Waiting;
                    }

                    return StepResult.Success(ToArray(state.Results!));
                }

                case WhileLoopModule loop:
                {
                    var ran = finished[0].Job;
                    if (ran.Status != JobStatus.Success && !loop.SkipFailures)
                    {
                        return StepResult.JobFailure(ran.Result);
                    }

                    state.Results!.Add(ran.Result ?? Null);
                    if (Truthy(await EvaluateAsync(module, "stop_after_if", module.StopAfterIf!, result: ran.Result).ConfigureAwait(false)))
                    {
                        return StepResult.Success(ToArray(state.Results));
                    }

                    state.Iterator!.Index++;
                    await StartBodyAsync(module, state, loop.Body, Iteration(Null, state.Iterator.Index), state.Iterator.Index).ConfigureAwait(false);
                    return StepResult.Waiting;
                }

                case BranchAllModule all:
                {
                    foreach (var (pending, ran) in finished)
                    {
                        if (ran.Status != JobStatus.Success && !all.Branches[pending.Index].SkipFailure)
                        {
                            return StepResult.JobFailure(ran.Result);
                        }

                        state.Results![pending.Index] = ran.Result ?? Null;
                    }

                    var next = state.Results!.Count;
                    if (!all.Parallel && next < all.Branches.Count)
                    {
                        state.Branchall!.Branch = next;
                        state.Results.Add(Null);
                        await StartBodyAsync(module, state, all.Branches[next].Body, job.Args, next).ConfigureAwait(false);
                        return StepResult.Waiting;
                    }

                    return StepResult.Success(ToArray(state.Results));
                }

                default:
                {
                    var ran = finished[0].Job;
                    return ran.Status == JobStatus.Success ? StepResult.Success(ran.Result ?? Null) : StepResult.JobFailure(ran.Result);
                }
            }
        }

        // The next batch of a for loop's iterations, from state.Iterator.Index: one, or `parallelism` (all when unset) in parallel.
        private async Task StartIterationsAsync(FlowModule module, ForLoopModule loop, FlowModuleStatus state)
        {
            var items = state.Iterator!.Itered!.Value;
            var count = items.GetArrayLength();
            var batch = loop.Parallel ? loop.Parallelism ?? count : 1;
            var first = state.Iterator.Index;
            var last = Math.Min(count, first + batch) - 1;
            for (var i = first; i <= last; i++)
            {
                state.Results!.Add(Null);
                await StartBodyAsync(module, state, loop.Body, Iteration(items[i], i), i).ConfigureAwait(false);
            }

            state.Iterator.Index = last;
        }

        // An iteration or a branch: a flow job over `modules`, which reads this flow's results from its stored status (this
        // flow is suspended, its status unchanged, while the body runs) rather than carrying a copy of them.
        private Task StartBodyAsync(FlowModule module, FlowModuleStatus state, JsonElement modules, JsonElement args, int index)
        {
            var body = new JsonObject
            {
                ["modules"] = JsonNode.Parse(modules.GetRawText()),
                [FlowDefinition.ReadsParentKey] = true,
            };
            var runnable = new Runnable(JobKind.Flow, $"{job.Runnable.Path}/{module.Id}", job.Runnable.Hash) { RawCode = body.ToJsonString() };
            return StartJobAsync(module, state, runnable, args, index);
        }

        private async Task StartJobAsync(FlowModule module, FlowModuleStatus state, Runnable runnable, JsonElement args, int index,
            TimeSpan? ownTimeout = null)
        {
            TimeSpan? timeout = ownTimeout;
            if (module.Timeout is { } limit)
            {
                var seconds = Seconds(module, "timeout", await InputAsync(module, "timeout", limit).ConfigureAwait(false));
                timeout = timeout is { } other && other < seconds ? other : seconds;
            }

            var id = Guid.CreateVersion7(_now);
            _children.Add(new NewJob
            {
                Workspace = job.Workspace,
                Runnable = runnable,
                Args = args,
                CreatedBy = job.CreatedBy,
                PermissionedAs = job.PermissionedAs,
                TriggerKind = job.TriggerKind,
                Options = new JobOptions
                {
                    Id = id,
                    ScheduledFor = status.SleepUntil > _now ? status.SleepUntil : null,
                    Tag = job.Tag,
                    VisibleToOwner = job.VisibleToOwner,
                    Timeout = timeout,
                },
            });
            state.Job = id;
            (state.Pending ??= []).Add(new FlowPendingJob(id, index));
            state.FlowJobs?.Add(id);
        }

        private async Task<JobOutcome> FailAsync(FlowModule module, JsonElement? result)
        {
            var error = WithStepId(result, module.Id);
            status.Error = error;
            if (flow.FailureModule is not { } failure)
            {
                return JobOutcome.Failure(error);
            }

            var state = status.FailureModule!;
            state.Type = FlowModuleStatus.InProgress;
            try
            {
                var runnable = failure.Value switch
                {
                    ScriptModule script => (Runnable: Runnable.Script(await FindScriptAsync(failure, script).ConfigureAwait(false)), Inputs: script.Inputs),
                    RawScriptModule raw => (Runnable: new Runnable(JobKind.FlowScript, $"{job.Runnable.Path}/{failure.Id}", ScriptHash.Of(raw.Content))
                    {
                        Language = raw.Language,
                        RawCode = raw.Content,
                    }, Inputs: raw.Inputs),
                    _ => throw new FlowStepException("FlowDefinitionError", "The failure module must be a script or a rawscript"),
                };
                await StartJobAsync(failure, state, runnable.Runnable, await InputsAsync(failure, runnable.Inputs).ConfigureAwait(false), 0)
                    .ConfigureAwait(false);
                return JobOutcome.Suspend(_children);
            }
            catch (FlowStepException e)
            {
                state.Type = FlowModuleStatus.Failure;
                state.Result = JobErrors.Create(e.Name, e.Message);
                return JobOutcome.Failure(error);
            }
        }

        private async Task<ScriptVersion> FindScriptAsync(FlowModule module, ScriptModule script)
        {
            ScriptVersion? version;
            if (script.Hash is { } text)
            {
                version = ScriptHash.TryParse(text, out var hash)
                    ? await engine._scripts.GetByHashAsync(job.Workspace, hash, cancellationToken).ConfigureAwait(false)
                    : null;
            }
            else
            {
                version = await engine._scripts.GetLatestAsync(job.Workspace, script.Path, cancellationToken).ConfigureAwait(false);
            }

            return version ?? throw new FlowStepException("ScriptNotFound",
                $"Step `{module.Id}`: script {script.Path}{(script.Hash is null ? "" : " at hash " + script.Hash)} not found");
        }

        private async Task<Job> ReadAsync(Guid id) =>
            await engine._jobs.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowStepException("FlowStepLost", $"The step job {id} of flow {job.Id} is not in the job store");

        private async Task<JsonElement> InputsAsync(FlowModule module, IReadOnlyDictionary<string, InputTransform> inputs)
        {
            var args = new JsonObject();
            foreach (var (name, transform) in inputs)
            {
                args[name] = JsonNode.Parse((await InputAsync(module, $"input `{name}`", transform).ConfigureAwait(false)).GetRawText());
            }

            return JsonSerializer.SerializeToElement(args);
        }

        private Task<JsonElement> InputAsync(FlowModule module, string what, InputTransform transform) =>
            transform.Expression is { } expression ? EvaluateAsync(module, what, expression) : Task.FromResult(transform.Value ?? Null);

        private async Task<JsonElement> EvaluateAsync(FlowModule module, string what, string expression, JsonElement? result = null)
        {
            if (engine._expressions is not { } evaluator)
            {
                throw new FlowStepException("FlowExpressionError",
                    $"Step `{module.Id}`: {what} is the JavaScript expression `{expression}`, and this host evaluates none: add AddJavaScript() to AddWindmillWebhooks()");
            }

            var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
            {
                ["flow_input"] = job.Args,
                ["results"] = JsonSerializer.SerializeToElement(Results()),
                ["previous_result"] = PreviousResult(),
            };
            if (result is not null)
            {
                variables["result"] = result.Value;
            }

            if (status.Error is { } error)
            {
                variables["error"] = error.TryGetProperty("error", out var inner) ? inner : error;
                variables["previous_result"] = error;
            }

            try
            {
                return await evaluator.EvaluateAsync(expression, variables, cancellationToken).ConfigureAwait(false);
            }
            catch (FlowExpressionException e)
            {
                throw new FlowStepException("FlowExpressionError", $"Step `{module.Id}`: the expression of {what}, `{expression}`, failed: {e.Message}");
            }
        }

        // An iteration's or a branch's view of the flows around it: their finished steps' results (the nearest wins), and its
        // parent's previous result. Read from their stored status, which does not change while they wait for this job.
        private async Task ReadParentResultsAsync()
        {
            var reads = flow.ReadsParent;
            var parentId = job.ParentJob;
            var chain = new List<FlowStatus>();
            while (reads && parentId is { } id && await engine._jobs.GetAsync(id, cancellationToken).ConfigureAwait(false) is { FlowStatus: { } stored } parent)
            {
                chain.Add(FlowStatus.Read(stored));
                reads = FlowDefinition.ReadsParentOf(parent.Runnable.RawCode);
                parentId = parent.ParentJob;
            }

            for (var i = chain.Count - 1; i >= 0; i--)
            {
                foreach (var module in chain[i].Modules)
                {
                    if (module.Type is FlowModuleStatus.Success or FlowModuleStatus.Failure && module.Result is { } result)
                    {
                        _outerResults[module.Id] = result;
                    }
                }
            }

            if (chain.Count > 0)
            {
                var parent = chain[0];
                _outerPrevious = parent.Modules.Take(Math.Min(parent.Step, parent.Modules.Count)).LastOrDefault(m => m.Result is not null)?.Result;
            }
        }

        // results.<id>: the enclosing flows' results, then this flow's finished steps.
        private Dictionary<string, JsonElement> Results()
        {
            var results = new Dictionary<string, JsonElement>(_outerResults, StringComparer.Ordinal);

            foreach (var module in status.Modules)
            {
                if (module.Type is FlowModuleStatus.Success or FlowModuleStatus.Failure && module.Result is { } result)
                {
                    results[module.Id] = result;
                }
            }

            return results;
        }

        private JsonElement PreviousResult()
        {
            for (var i = Math.Min(status.Step, status.Modules.Count) - 1; i >= 0; i--)
            {
                if (status.Modules[i].Result is { } result)
                {
                    return result;
                }
            }

            return _outerPrevious ?? Null;
        }

        private JsonElement Iteration(JsonElement value, int index)
        {
            var args = job.Args.ValueKind == JsonValueKind.Object ? JsonObject.Create(job.Args)!.DeepClone().AsObject() : [];
            args["iter"] = new JsonObject { ["value"] = JsonNode.Parse(value.GetRawText()), ["index"] = index };
            return JsonSerializer.SerializeToElement(args);
        }

        private static bool StopsPerIteration(FlowModule module) => module.Value is WhileLoopModule or ForLoopModule { Parallel: false };

        private static TimeSpan Seconds(FlowModule module, string what, JsonElement value) =>
            value.ValueKind == JsonValueKind.Number && value.GetDouble() is var seconds and >= 0 and <= 2_000_000
                ? TimeSpan.FromSeconds(seconds)
                : throw new FlowStepException("FlowExpressionError", $"Step `{module.Id}`: {what} must be a number of seconds; it is {Describe(value)}");

        private static JsonElement WithStepId(JsonElement? result, string stepId)
        {
            var node = result is { ValueKind: JsonValueKind.Object } r ? JsonNode.Parse(r.GetRawText())!.AsObject() : new JsonObject();
            if (node["error"] is JsonObject error)
            {
                error["step_id"] = stepId;
            }
            else
            {
                node = new JsonObject { ["error"] = new JsonObject { ["name"] = "Error", ["message"] = result?.GetRawText() ?? "null", ["step_id"] = stepId } };
            }

            return JsonSerializer.SerializeToElement(node);
        }
    }

    private static readonly JsonElement Null = JsonDocument.Parse("null").RootElement;
    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private static JsonElement ToArray(List<JsonElement> items) => JsonSerializer.SerializeToElement(items);

    // JavaScript's truthiness, on the JSON an expression returned.
    private static bool Truthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined => false,
        JsonValueKind.Number => value.GetDouble() != 0,
        JsonValueKind.String => value.GetString()!.Length > 0,
        _ => true,
    };

    private static string Describe(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.Undefined ? "undefined" : value.GetRawText();
        return text.Length > 80 ? string.Concat(text.AsSpan(0, 80), "…") : text;
    }

    private readonly record struct StepResult(bool Suspended, bool Succeeded, JsonElement Result, bool FromJob = false)
    {
        public static StepResult Waiting => new(true, false, Null);

        public static StepResult Success(JsonElement result) => new(false, true, result);

        public static StepResult Failure(JsonElement? error) => new(false, false, error ?? Null);

        public static StepResult JobFailure(JsonElement? error) => new(false, false, error ?? Null, FromJob: true);
    }

    private sealed class FlowStepException(string name, string message) : Exception(message)
    {
        public string Name { get; } = name;
    }
}
