using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.JavaScript.Compilation;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// Runs jobs of TypeScript and JavaScript (Windmill's <c>bun</c>, <c>deno</c> and <c>nativets</c>, and this library's
/// <c>javascript</c>):
/// stored script versions by hash, and inline code (flow steps and previews). It finds the code and hands it to the
/// <see cref="IJavaScriptEngine"/>, which prepares each module once per version (or per inline code) and runs it. Code
/// that does not compile or prepare fails its job as <c>ScriptCompilationError</c>.
/// </summary>
internal sealed class JavaScriptJobExecutor : IJobExecutor
{
    // The same cache the run service resolves scripts through: a job reads its version from memory, not from the store.
    private readonly CachingScriptStore _store;
    private readonly IJavaScriptEngine _engine;
    private readonly JavaScriptCompiler _compiler;
    private readonly JavaScriptOptions _options;

    public JavaScriptJobExecutor(CachingScriptStore store, IJavaScriptEngine engine, JavaScriptCompiler compiler, IOptions<JavaScriptOptions> options)
    {
        _store = store;
        _engine = engine;
        _compiler = compiler;
        _options = options.Value;
    }

    public bool CanExecute(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Runnable.Kind is JobKind.Script or JobKind.FlowScript or JobKind.Preview && JavaScriptLanguages.IsSupported(job.Runnable.Language);
    }

    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var runnable = job.Runnable;
        var language = runnable.Language!;
        string key;
        Func<string> loadCode;
        TimeSpan? timeout = job.Timeout;
        if (runnable.Kind == JobKind.Script)
        {
            var version = await _store.GetByHashAsync(job.Workspace, runnable.Hash, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                return JobOutcome.Failure("ScriptNotFound", $"Script version {runnable.Hash} of {runnable.Path} is not in the script store.");
            }

            key = $"{job.Workspace}/{runnable.Hash}";
            loadCode = () => version.CompiledCode ?? _compiler.Compile(version.Language, version.Content).Code;
            timeout = Shortest(timeout, version.Timeout);
        }
        else
        {
            if (runnable.RawCode is not { } code)
            {
                return JobOutcome.Failure("ScriptNotFound", $"The {runnable.Kind.ToString().ToLowerInvariant()} job of {runnable.Path} carries no code.");
            }

            key = "inline/" + language + "/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
            loadCode = () => _compiler.Compile(language, code).Code;
        }

        var run = new JavaScriptRun(key, loadCode, job.Args)
        {
            Environment = Environment(job),
            Timeout = timeout ?? _options.DefaultTimeout,
        };
        try
        {
            return await _engine.RunAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (ScriptCompilationException e)
        {
            return JobOutcome.Failure("ScriptCompilationError", e.Message);
        }
    }

    private static TimeSpan? Shortest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    // Windmill's job variables (windmill-worker's get_common_deno_proc_envs and worker.rs).
    private static Dictionary<string, string> Environment(Job job)
    {
        var environment = new Dictionary<string, string>
        {
            ["WM_JOB_ID"] = job.Id.ToString(),
            ["WM_WORKSPACE"] = job.Workspace,
            ["WM_JOB_PATH"] = job.Runnable.Path,
            ["WM_PERMISSIONED_AS"] = job.PermissionedAs,
            ["WM_USERNAME"] = job.PermissionedAs.StartsWith("u/", StringComparison.Ordinal) ? job.PermissionedAs[2..] : job.CreatedBy,
            ["WM_SCRIPT_HASH"] = job.Runnable.Hash.ToString(),
        };
        if (job.IsFlowStep && job.ParentJob is { } flow)
        {
            environment["WM_FLOW_JOB_ID"] = flow.ToString();
            environment["WM_ROOT_FLOW_JOB_ID"] = (job.RootJob ?? flow).ToString();
        }

        return environment;
    }
}
