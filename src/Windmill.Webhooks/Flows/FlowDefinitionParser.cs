using System.Globalization;
using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Reads an OpenFlow <c>FlowValue</c> into a <see cref="FlowDefinition"/>, checking its shape: every message names the
/// module at fault, by id and by where it sits (<c>modules[1].value.modules[0]</c>).
/// </summary>
internal static class FlowDefinitionParser
{
    private static readonly string[] ModuleTypes = ["script", "rawscript", "flow", "forloopflow", "whileloopflow", "branchone", "branchall", "identity"];

    /// <summary>Parses <paramref name="value"/>; throws <see cref="FlowDefinitionException"/> when it is not a flow this engine runs.</summary>
    public static FlowDefinition Parse(JsonElement value)
    {
        try
        {
            return ParseValue(value);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            // A JSON value of an unexpected kind that a check above missed: still the definition's fault, still a 400.
            throw new FlowDefinitionException($"the definition does not have OpenFlow's shape: {e.Message}", e);
        }
    }

    private static FlowDefinition ParseValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FlowDefinitionException("the flow's value must be an object with `modules`");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var modules = ParseModules(Required(value, "modules", "value", JsonValueKind.Array), "modules", ids);
        FlowModule? failure = null;
        if (value.TryGetProperty("failure_module", out var failureJson) && failureJson.ValueKind != JsonValueKind.Null)
        {
            failure = ParseModule(failureJson, "failure_module", ids);
        }

        string? earlyReturn = null;
        if (value.TryGetProperty("early_return", out var early) && early.ValueKind != JsonValueKind.Null)
        {
            earlyReturn = early.ValueKind == JsonValueKind.String ? early.GetString() : throw new FlowDefinitionException("early_return must be the id of a step");
            if (!modules.Any(m => m.Id == earlyReturn))
            {
                throw new FlowDefinitionException($"early_return names step `{earlyReturn}`, which is not a top-level step of the flow");
            }
        }

        return new FlowDefinition(modules)
        {
            FailureModule = failure,
            EarlyReturn = earlyReturn,
            ReadsParent = value.TryGetProperty(FlowDefinition.ReadsParentKey, out var reads) && reads.ValueKind == JsonValueKind.True,
        };
    }

    private static List<FlowModule> ParseModules(JsonElement array, string location, HashSet<string> ids) =>
        array.EnumerateArray().Select((module, i) => ParseModule(module, $"{location}[{i}]", ids)).ToList();

    private static FlowModule ParseModule(JsonElement module, string location, HashSet<string> ids)
    {
        if (module.ValueKind != JsonValueKind.Object)
        {
            throw new FlowDefinitionException($"{location} must be an object");
        }

        var id = RequiredString(module, "id", location);
        var at = $"step `{id}` ({location})";
        if (!ids.Add(id))
        {
            throw new FlowDefinitionException($"{at}: the id `{id}` is used by another step; step ids must be unique in a flow");
        }

        var value = Required(module, "value", at, JsonValueKind.Object);
        var type = RequiredString(value, "type", at);
        var inner = location + ".value";
        FlowModuleValue parsed = type switch
        {
            "script" => new ScriptModule(RequiredString(value, "path", at), OptionalString(value, "hash", at), Inputs(value, at)),
            "rawscript" => new RawScriptModule(RequiredString(value, "content", at), RequiredString(value, "language", at), Inputs(value, at)),
            "flow" => new SubFlowModule(RequiredString(value, "path", at), Inputs(value, at)),
            "forloopflow" => new ForLoopModule(
                Transform(Required(value, "iterator", at, JsonValueKind.Object), $"{at}: iterator"),
                ParseModules(Required(value, "modules", at, JsonValueKind.Array), inner + ".modules", ids),
                value.GetProperty("modules"),
                Bool(value, "skip_failures", at), Bool(value, "parallel", at), Parallelism(value, at)),
            "whileloopflow" => new WhileLoopModule(
                ParseModules(Required(value, "modules", at, JsonValueKind.Array), inner + ".modules", ids),
                value.GetProperty("modules"), Bool(value, "skip_failures", at)),
            "branchone" => new BranchOneModule(
                Required(value, "branches", at, JsonValueKind.Array).EnumerateArray()
                    .Select((b, i) => Branch(b, $"{inner}.branches[{i}]", at, ids, needsExpression: true)).ToList(),
                new FlowBranch(null, ParseModules(Required(value, "default", at, JsonValueKind.Array), inner + ".default", ids),
                    value.GetProperty("default"), false)),
            "branchall" => new BranchAllModule(
                Required(value, "branches", at, JsonValueKind.Array).EnumerateArray()
                    .Select((b, i) => Branch(b, $"{inner}.branches[{i}]", at, ids, needsExpression: false)).ToList(),
                Bool(value, "parallel", at)),
            "identity" => new IdentityModule(),
            _ => throw new FlowDefinitionException(
                $"{at}: unknown module type `{type}`; this engine runs {string.Join(", ", ModuleTypes)}"),
        };

        if (parsed is not (ScriptModule or RawScriptModule) && module.TryGetProperty("timeout", out var limit) && limit.ValueKind != JsonValueKind.Null)
        {
            throw new FlowDefinitionException($"{at}: `timeout` applies to script and rawscript steps only");
        }

        if (parsed is WhileLoopModule && Expression(module, "stop_after_if", at) is null)
        {
            throw new FlowDefinitionException($"{at}: a whileloopflow needs `stop_after_if`, evaluated after each iteration with `result`, to end");
        }

        return new FlowModule(id, parsed)
        {
            Location = location,
            Summary = OptionalString(module, "summary", at),
            StopAfterIf = Expression(module, "stop_after_if", at),
            SkipIf = Expression(module, "skip_if", at),
            Sleep = OptionalTransform(module, "sleep", at),
            Timeout = OptionalTransform(module, "timeout", at),
            Retry = Retry(module, at),
            ContinueOnError = Bool(module, "continue_on_error", at),
            Mock = Mock(module, at),
        };
    }

    private static FlowBranch Branch(JsonElement branch, string location, string at, HashSet<string> ids, bool needsExpression)
    {
        if (branch.ValueKind != JsonValueKind.Object)
        {
            throw new FlowDefinitionException($"{at}: {location} must be an object");
        }

        var expression = needsExpression ? RequiredString(branch, "expr", $"{at}: {location}") : null;
        var modules = Required(branch, "modules", $"{at}: {location}", JsonValueKind.Array);
        return new FlowBranch(expression, ParseModules(modules, location + ".modules", ids), modules, Bool(branch, "skip_failure", at));
    }

    private static Dictionary<string, InputTransform> Inputs(JsonElement value, string at)
    {
        var inputs = new Dictionary<string, InputTransform>(StringComparer.Ordinal);
        if (value.TryGetProperty("input_transforms", out var transforms) && transforms.ValueKind != JsonValueKind.Null)
        {
            if (transforms.ValueKind != JsonValueKind.Object)
            {
                throw new FlowDefinitionException($"{at}: input_transforms must be an object");
            }

            foreach (var input in transforms.EnumerateObject())
            {
                inputs[input.Name] = Transform(input.Value, $"{at}: input `{input.Name}`");
            }
        }

        return inputs;
    }

    private static InputTransform Transform(JsonElement transform, string at)
    {
        var type = transform.ValueKind == JsonValueKind.Object && transform.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : throw new FlowDefinitionException($"{at} must be an input transform: {{\"type\": \"static\", \"value\": …}} or {{\"type\": \"javascript\", \"expr\": …}}");
        return type switch
        {
            "static" => InputTransform.Static(transform.TryGetProperty("value", out var value) ? value.Clone() : Null),
            "javascript" => InputTransform.JavaScript(RequiredString(transform, "expr", at)),
            _ => throw new FlowDefinitionException($"{at}: unknown input transform type `{type}`; use `static` or `javascript`"),
        };
    }

    private static InputTransform? OptionalTransform(JsonElement module, string name, string at) =>
        module.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Transform(value, $"{at}: {name}") : null;

    private static string? Expression(JsonElement module, string name, string at)
    {
        if (!module.TryGetProperty(name, out var option) || option.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return option.ValueKind == JsonValueKind.Object ? RequiredString(option, "expr", $"{at}: {name}")
            : throw new FlowDefinitionException($"{at}: {name} must be an object with `expr`");
    }

    private static FlowRetry? Retry(JsonElement module, string at)
    {
        if (!module.TryGetProperty("retry", out var retry) || retry.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (retry.ValueKind != JsonValueKind.Object)
        {
            throw new FlowDefinitionException($"{at}: retry must be an object with `constant` and/or `exponential`");
        }

        var constant = retry.TryGetProperty("constant", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var exponential = retry.TryGetProperty("exponential", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var parsed = new FlowRetry(
            Number(constant, "attempts", at, 0), Number(constant, "seconds", at, 0),
            Number(exponential, "attempts", at, 0), Number(exponential, "multiplier", at, 1), Number(exponential, "seconds", at, 0));
        if (parsed.ConstantAttempts is < 0 or > 1000 || parsed.ExponentialAttempts is < 0 or > 1000
            || !double.IsFinite(parsed.ConstantSeconds) || !double.IsFinite(parsed.BaseSeconds) || !double.IsFinite(parsed.Multiplier)
            || parsed.ConstantSeconds < 0 || parsed.BaseSeconds < 0 || parsed.Multiplier < 0)
        {
            throw new FlowDefinitionException($"{at}: retry attempts (at most 1000) and seconds must be finite and not negative");
        }

        return parsed.Attempts == 0 ? null : parsed;
    }

    private static JsonElement? Mock(JsonElement module, string at)
    {
        if (!module.TryGetProperty("mock", out var mock) || mock.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (mock.ValueKind != JsonValueKind.Object)
        {
            throw new FlowDefinitionException($"{at}: mock must be an object with `enabled` and `return_value`");
        }

        if (!Bool(mock, "enabled", at))
        {
            return null;
        }

        return mock.TryGetProperty("return_value", out var value) ? value.Clone() : Null;
    }

    private static readonly JsonElement Null = JsonDocument.Parse("null").RootElement;

    private static int? Parallelism(JsonElement value, string at)
    {
        if (!value.TryGetProperty("parallelism", out var parallelism) || parallelism.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // Older OpenFlow has a number; newer has a static input transform holding one.
        if (parallelism.ValueKind == JsonValueKind.Object && parallelism.TryGetProperty("value", out var inner))
        {
            parallelism = inner;
        }

        return parallelism.ValueKind == JsonValueKind.Number && parallelism.TryGetInt32(out var n) && n > 0
            ? n
            : throw new FlowDefinitionException($"{at}: parallelism must be a positive whole number");
    }

    private static JsonElement Required(JsonElement owner, string name, string at, JsonValueKind kind) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new FlowDefinitionException($"{at}: `{name}` is missing or is not {(kind == JsonValueKind.Array ? "an array" : "an object")}");

    private static string RequiredString(JsonElement owner, string name, string at) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FlowDefinitionException($"{at}: `{name}` is missing or is not a non-empty string");

    private static string? OptionalString(JsonElement owner, string name, string at) =>
        !owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new FlowDefinitionException($"{at}: `{name}` must be a string");

    private static bool Bool(JsonElement owner, string name, string at) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new FlowDefinitionException($"{at}: `{name}` must be true or false")
            : false;

    private static int Number(JsonElement owner, string name, string at, int fallback) => (int)Number(owner, name, at, (double)fallback);

    private static double Number(JsonElement owner, string name, string at, double fallback) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.Number ? value.GetDouble()
                : throw new FlowDefinitionException(string.Create(CultureInfo.InvariantCulture, $"{at}: retry `{name}` must be a number"))
            : fallback;
}
