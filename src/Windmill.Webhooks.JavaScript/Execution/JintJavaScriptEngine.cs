using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.JavaScript.Compilation;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// Runs scripts in Jint, a JavaScript interpreter written in .NET: a new engine per run (engines are not shared between
/// threads), over a module prepared once per <see cref="JavaScriptRun.ModuleKey"/>. The engine has no access to the CLR,
/// the file system or the network; it gets <c>console</c>, <c>process.env</c> and, when the host allows hosts,
/// <c>fetch</c>. The run is synchronous on the caller's thread (the job runner already runs each job off its workers),
/// and every limit of <see cref="JavaScriptOptions"/> is enforced by Jint's constraints.
/// </summary>
internal sealed partial class JintJavaScriptEngine : IJavaScriptEngine
{
    private readonly JavaScriptOptions _options;
    private readonly TimeProvider _time;
    private readonly ScriptFetch? _fetch;
    private readonly ILogger<JintJavaScriptEngine> _logger;
    private readonly PreparedScriptCache _cache;

    public JintJavaScriptEngine(IOptions<JavaScriptOptions> options, TimeProvider time, ILogger<JintJavaScriptEngine> logger,
        IHttpClientFactory? httpClients = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _cache = new PreparedScriptCache(_options.MaxCachedScripts);
        _fetch = _options.FetchAllowedHosts.Count > 0 && httpClients is not null ? new ScriptFetch(httpClients, _options) : null;
    }

    /// <summary>How many modules were prepared since start (once per key while cached).</summary>
    internal int PreparedCount => _cache.PreparedCount;

    public ValueTask<JobOutcome> RunAsync(JavaScriptRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        var script = _cache.GetOrPrepare(run.ModuleKey, Prepare, run.LoadCode);
        return ValueTask.FromResult(Run(script, run, cancellationToken));
    }

    private static PreparedScript Prepare(string code)
    {
        // Stored code compiled by an older version of this package may not prepare: that fails the job as a compilation error.
        var module = JavaScriptCompiler.Prepare(code);

        var main = JavaScriptCompiler.FindMain(module.Program!);
        var names = main?.Params.Select(p => p switch
        {
            Identifier identifier => identifier.Name,
            AssignmentPattern { Left: Identifier identifier } => identifier.Name,
            _ => null,
        }).ToList() ?? [];
        return new PreparedScript(module, names);
    }

    /// <summary>
    /// The longest a run may take, whatever its timeout says: the most a regular expression's match timeout can be
    /// (<see cref="int.MaxValue"/> milliseconds), and below what a <see cref="CancellationTokenSource"/> accepts.
    /// </summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(24);

    private JobOutcome Run(PreparedScript script, JavaScriptRun run, CancellationToken cancellationToken)
    {
        var logs = new ScriptLogs();
        var timeout = run.Timeout < TimeSpan.Zero ? TimeSpan.Zero : run.Timeout > MaxTimeout ? MaxTimeout : run.Timeout;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var engine = SandboxGlobals.CreateEngine(_options, timeout, stop.Token);
        try
        {
            SandboxGlobals.Install(engine, logs, run.Environment, _fetch, stop.Token);
            engine.Modules.Add("main", module => module.AddModule(script.Module));
            var main = engine.Modules.Import("main").Get("main");
            if (!main.IsCallable())
            {
                return JobOutcome.Failure("MainNotFound", "The script exports no 'main' function.", logs: logs.Text);
            }

            var returned = engine.Call(main, JsValue.Undefined, BindArguments(engine, script.ParameterNames, run.Args));
            var result = returned.UnwrapIfPromise(stop.Token);
            return JobOutcome.Success(ToJson(engine, result), logs.Text);
        }
        catch (Exception e) when (e is JintException or OperationCanceledException && stop.IsCancellationRequested || e is RegexMatchTimeoutException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return LimitReached("TimeoutError", $"Script timed out after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (its timeout).", logs);
        }
        catch (MemoryLimitExceededException e)
        {
            return LimitReached("MemoryLimitExceeded", $"Script exceeded its memory limit of {_options.MemoryLimit} bytes: {e.Message}", logs);
        }
        catch (RecursionDepthOverflowException)
        {
            return LimitReached("RecursionLimitExceeded", $"Script exceeded the maximum call depth of {_options.MaxRecursionDepth}.", logs);
        }
        catch (StatementsCountOverflowException)
        {
            return LimitReached("StatementLimitExceeded", $"Script exceeded the maximum of {_options.MaxStatements} statements.", logs);
        }
        catch (JavaScriptException e)
        {
            return Thrown(e.Error, e.JavaScriptStackTrace, logs);
        }
        catch (PromiseRejectedException e)
        {
            return Thrown(e.RejectedValue, null, logs);
        }
        catch (JintException e)
        {
            return JobOutcome.Failure("Error", e.Message, logs: logs.Text);
        }
    }

    private static JsValue[] BindArguments(Engine engine, IReadOnlyList<string?> names, JsonElement args)
    {
        var values = new JsValue[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            // A missing argument is undefined, so that the parameter's default applies.
            values[i] = names[i] is { } name && args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var value)
                ? FromJson(engine, value)
                : JsValue.Undefined;
        }

        return values;
    }

    internal static JsValue FromJson(Engine engine, JsonElement value) => new Jint.Native.Json.JsonParser(engine).Parse(value.GetRawText());

    // What JSON.stringify makes of the value, as Windmill's JavaScript workers return it: dates as ISO strings, undefined as null.
    internal static JsonElement ToJson(Engine engine, JsValue value)
    {
        var text = new Jint.Native.Json.JsonSerializer(engine).Serialize(value);
        using var document = JsonDocument.Parse(text.IsString() ? text.AsString() : "null");
        return document.RootElement.Clone();
    }

    private JobOutcome LimitReached(string name, string message, ScriptLogs logs)
    {
        Log.LimitReached(_logger, name, message);
        return JobOutcome.Failure(name, message, logs: logs.Text);
    }

    private static JobOutcome Thrown(JsValue error, string? stackTrace, ScriptLogs logs)
    {
        try
        {
            if (error is ObjectInstance thrown)
            {
                var name = thrown.Get("name");
                var message = thrown.Get("message");
                var stack = thrown.Get("stack");
                return JobOutcome.Failure(
                    name.IsString() ? name.AsString() : "Error",
                    message.IsUndefined() ? SandboxGlobals.Describe(error) : TypeConverter.ToString(message),
                    stack.IsString() ? stack.AsString() : stackTrace,
                    logs.Text);
            }

            return JobOutcome.Failure("Error", SandboxGlobals.Describe(error), stackTrace, logs.Text);
        }
        catch (Exception e) when (e is JintException or OperationCanceledException or RegexMatchTimeoutException)
        {
            // Reading the thrown value ran the script's code again (a getter, a Proxy trap, a toString), and that failed too.
            return JobOutcome.Failure("Error", UnreadableError, stackTrace, logs.Text);
        }
    }

    internal const string UnreadableError = "The script threw a value whose name, message or stack could not be read.";
}
