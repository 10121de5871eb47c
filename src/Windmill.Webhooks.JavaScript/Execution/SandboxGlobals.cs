using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// The sandbox: an engine with no CLR and every limit, and the globals a script gets beside the language's own: <c>console</c>,
/// <c>process.env</c> and, when allowed, <c>fetch</c>.
/// </summary>
internal static class SandboxGlobals
{
    /// <summary>
    /// A new engine with no access to the CLR, and every limit of <paramref name="options"/>: memory, recursion, statements,
    /// array size, <paramref name="stop"/> between statements and <paramref name="timeout"/> for each regular expression (it
    /// runs in .NET, out of reach of the token).
    /// </summary>
    public static Engine CreateEngine(JavaScriptOptions options, TimeSpan timeout, CancellationToken stop) => new(o =>
    {
        o.Interop.Enabled = false;
        o.Culture = CultureInfo.InvariantCulture;
        o.TimeZone = TimeZoneInfo.Utc;
        o.LimitMemory(options.MemoryLimit);
        o.LimitRecursion(options.MaxRecursionDepth);
        o.MaxStatements(options.MaxStatements);
        o.Constraints.MaxArraySize = options.MaxArraySize;
        o.CancellationToken(stop);
        o.Constraints.RegexTimeout = timeout;
    });

    public static void Install(Engine engine, ScriptLogs logs, IReadOnlyDictionary<string, string> environment, ScriptFetch? fetch, CancellationToken stop)
    {
        var console = new JsObject(engine);
        foreach (var method in new[] { "log", "info", "debug", "warn", "error", "trace" })
        {
            console.Set(method, new ClrFunction(engine, method, (_, args) =>
            {
                logs.WriteLine(string.Join(' ', args.Select(Describe)));
                return JsValue.Undefined;
            }));
        }

        engine.SetValue("console", console);

        var env = new JsObject(engine);
        foreach (var (name, value) in environment)
        {
            env.Set(name, value);
        }

        var process = new JsObject(engine);
        process.Set("env", env);
        engine.SetValue("process", process);

        if (fetch is not null)
        {
            engine.SetValue("fetch", new ClrFunction(engine, "fetch", (_, args) => fetch.Fetch(engine, args, stop)));
        }
    }

    /// <summary>How a value is written to the logs: strings as they are, errors with their stack, objects as JSON.</summary>
    public static string Describe(JsValue value)
    {
        if (value.IsString())
        {
            return value.AsString();
        }

        if (value is ObjectInstance instance and not Jint.Native.Function.Function)
        {
            if (instance.Get("stack") is var stack && stack.IsString() && instance.Get("message") is var message && !message.IsUndefined())
            {
                return stack.AsString();
            }

            try
            {
                var json = new Jint.Native.Json.JsonSerializer(instance.Engine).Serialize(value);
                if (json.IsString())
                {
                    return json.AsString();
                }
            }
            catch (JavaScriptException)
            {
                // A cycle, say: fall back to the value's string form.
            }
        }

        return TypeConverter.ToString(value);
    }
}
