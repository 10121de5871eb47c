using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>
/// Builds the JSON schema of <c>main</c>'s parameters in Windmill's shape: one property per parameter, in order, with
/// its type (from the TypeScript annotation), an empty description and its default; required when it has neither a
/// default nor a <c>?</c>.
/// </summary>
internal static partial class ParameterSchema
{
    public static JsonElement Build(IFunction main, IReadOnlyDictionary<int, ParameterAnnotation> annotations)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in main.Params)
        {
            var (name, defaultValue) = parameter switch
            {
                Identifier identifier => (identifier, (Expression?)null),
                AssignmentPattern { Left: Identifier identifier } assignment => (identifier, assignment.Right),
                _ => (null, null),
            };
            if (name is null)
            {
                continue; // A destructured or rest parameter has no name to bind an argument to.
            }

            annotations.TryGetValue(name.End, out var annotation);
            var property = annotation?.Type is { } type ? ForType(type) : new JsonObject();
            property["description"] = "";
            if (defaultValue is not null && Constant(defaultValue) is { } constant)
            {
                property["default"] = constant;
            }

            properties[name.Name] = property;
            if (defaultValue is null && annotation?.Optional != true)
            {
                required.Add(name.Name);
            }
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
        };
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>The schema of a TypeScript type, as Windmill infers it; <c>{}</c> for a type it has no JSON for.</summary>
    internal static JsonObject ForType(string type) => ForType(type, depth: 1);

    // Brackets and array suffixes nest by recursion, so the depth is bounded like the stripper's.
    private static JsonObject ForType(string type, int depth)
    {
        if (depth > JavaScriptCompiler.MaxNesting)
        {
            throw new ScriptCompilationException(JavaScriptCompiler.TooDeeplyNested + " (in a parameter's type)");
        }

        type = Whitespace().Replace(type, " ").Trim();
        var members = SplitUnion(type).Where(m => m is not ("null" or "undefined")).ToList();
        if (members.Count > 1)
        {
            if (members.All(m => StringLiteral().IsMatch(m)))
            {
                return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(members.Select(m => (JsonNode?)m[1..^1]).ToArray()) };
            }

            return new JsonObject();
        }

        type = members.Count == 1 ? members[0] : type;
        if (type.StartsWith('(') && type.EndsWith(')'))
        {
            return ForType(type[1..^1], depth + 1);
        }

        if (type.EndsWith("[]", StringComparison.Ordinal) || (type.StartsWith("Array<", StringComparison.Ordinal) && type.EndsWith('>')))
        {
            var item = type.EndsWith("[]", StringComparison.Ordinal) ? type[..^2] : type[6..^1];
            var items = ForType(item, depth + 1);
            items.Remove("description");
            return new JsonObject { ["type"] = "array", ["items"] = items };
        }

        if (StringLiteral().IsMatch(type))
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(type[1..^1]) };
        }

        return type switch
        {
            "string" => new JsonObject { ["type"] = "string" },
            "number" => new JsonObject { ["type"] = "number" },
            "bigint" => new JsonObject { ["type"] = "integer" },
            "boolean" or "true" or "false" => new JsonObject { ["type"] = "boolean" },
            "Date" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            "object" or "Object" => new JsonObject { ["type"] = "object" },
            _ when type.StartsWith('{') || type.StartsWith("Record<", StringComparison.Ordinal) => new JsonObject { ["type"] = "object" },
            _ when double.TryParse(type, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => new JsonObject { ["type"] = "number" },
            _ => new JsonObject(),
        };
    }

    // The members of a union at its top level (not inside brackets or strings).
    private static List<string> SplitUnion(string type)
    {
        var members = new List<string>();
        var depth = 0;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < type.Length; i++)
        {
            var c = type[i];
            if (quote is not null)
            {
                quote = c == quote ? null : quote;
                i += c == '\\' ? 1 : 0;
                continue;
            }

            switch (c)
            {
                case '"' or '\'' or '`': quote = c; break;
                case '(' or '[' or '{' or '<': depth++; break;
                case ')' or ']' or '}' or '>': depth--; break;
                case '|' when depth == 0:
                    if (i > start)
                    {
                        members.Add(type[start..i].Trim());
                    }

                    start = i + 1;
                    break;
            }
        }

        members.Add(type[start..].Trim());
        return members.Where(m => m.Length > 0).ToList();
    }

    // The JSON of a default value written as a constant (a literal, or an array or object of them); null otherwise.
    // Each element is converted once, so nested arrays and objects cost their size, not 2^depth.
    private static JsonNode? Constant(Expression expression, int depth = 1) => depth > JavaScriptCompiler.MaxNesting ? null : expression switch
    {
        Acornima.Ast.StringLiteral text => JsonValue.Create(text.Value),
        NumericLiteral number => JsonValue.Create(number.Value),
        BooleanLiteral boolean => JsonValue.Create(boolean.Value),
        TemplateLiteral { Expressions.Count: 0 } template => JsonValue.Create(template.Quasis[0].Value.Cooked),
        UnaryExpression { Operator: Acornima.Operator.UnaryNegation, Argument: NumericLiteral number } => JsonValue.Create(-number.Value),
        ArrayExpression array => ArrayConstant(array, depth),
        ObjectExpression obj => ObjectConstant(obj, depth),
        _ => null,
    };

    private static JsonArray? ArrayConstant(ArrayExpression array, int depth)
    {
        var items = new JsonArray();
        foreach (var element in array.Elements)
        {
            if (element is not Expression item || Constant(item, depth + 1) is not { } value)
            {
                return null;
            }

            items.Add(value);
        }

        return items;
    }

    private static JsonObject? ObjectConstant(ObjectExpression obj, int depth)
    {
        var members = new JsonObject();
        foreach (var member in obj.Properties)
        {
            if (member is not Property { Computed: false, Key: Identifier or Acornima.Ast.StringLiteral, Value: Expression item } property
                || Constant(item, depth + 1) is not { } value)
            {
                return null;
            }

            members[property.Key is Identifier id ? id.Name : ((Acornima.Ast.StringLiteral)property.Key).Value] = value;
        }

        return members;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^(""[^""]*""|'[^']*')$")]
    private static partial Regex StringLiteral();
}
