using System.Text.Json;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A made-up language, <c>test-lang</c>, for the scripts routes' own logic (the JavaScript runtime lives in its own package):
/// blank lines, <c>// comments</c>, and one line <c>main = &lt;json&gt;</c>, whose JSON is the result of every run. Any other
/// line is a syntax error at its first column; bad JSON is a syntax error where the JSON breaks; no <c>main</c> line is an error.
/// </summary>
internal sealed class TestLanguageCompiler : IScriptCompiler
{
    public const string Language = "test-lang";
    private const string Main = "main = ";

    public static readonly JsonElement Schema = JsonDocument.Parse("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{},"required":[]}""").RootElement;

    public bool Compiles(string language) => language == Language;

    public ScriptCompilation Compile(string language, string content)
    {
        string? code = null;
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            if (!line.StartsWith(Main, StringComparison.Ordinal))
            {
                throw new ScriptCompilationException("SyntaxError: Unexpected token", i + 1, 1);
            }

            code = line[Main.Length..];
            try
            {
                using var _ = JsonDocument.Parse(code);
            }
            catch (JsonException e)
            {
                throw new ScriptCompilationException("SyntaxError: Unexpected token", i + 1, Main.Length + 1 + (int)(e.BytePositionInLine ?? 0));
            }
        }

        return new ScriptCompilation(code ?? throw new ScriptCompilationException("main is not defined: the script must export a function main"), Schema);
    }
}

/// <summary>Runs <c>test-lang</c> jobs: the result is the compiled JSON of exactly the job's version, read from the store by hash.</summary>
internal sealed class TestLanguageExecutor(IScriptStore scripts) : IJobExecutor
{
    public bool CanExecute(Job job) => job.Runnable.Language == TestLanguageCompiler.Language;

    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        var version = await scripts.GetByHashAsync(job.Workspace, job.Runnable.Hash, cancellationToken);
        if (version?.CompiledCode is not { } code)
        {
            return JobOutcome.Failure("ScriptNotFound", $"Script version {job.Runnable.Hash} was deleted");
        }

        using var result = JsonDocument.Parse(code);
        return JobOutcome.Success(result.RootElement.Clone());
    }
}
