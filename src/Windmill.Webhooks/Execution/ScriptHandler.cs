using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Execution;

/// <summary>
/// A delegate registered in code, bound like a minimal-API handler: JSON args by parameter name,
/// plus <see cref="CancellationToken"/>, <see cref="ScriptContext"/>, <see cref="ILogger"/> and DI services.
/// </summary>
internal sealed class ScriptHandler
{
    // Parameters carry their own nullability (see ParameterBinding.IsRequired); types alone do not.
    private static readonly JsonSchemaExporterOptions SchemaOptions = new() { TreatNullObliviousAsNonNullable = true };

    private readonly Delegate _handler;
    private readonly ParameterBinding[] _bindings;
    private readonly Func<object?, ValueTask<object?>> _unwrapResult;
    private readonly JsonSerializerOptions _json;

    private ScriptHandler(Delegate handler, ParameterBinding[] bindings, Func<object?, ValueTask<object?>> unwrapResult,
        JsonSerializerOptions json)
    {
        _handler = handler;
        _bindings = bindings;
        _unwrapResult = unwrapResult;
        _json = json;
    }

    /// <summary>The signature of the arguments, e.g. <c>main(String name = "world")</c>.</summary>
    public string Signature { get; private init; } = "";

    /// <summary>The JSON schema of the arguments.</summary>
    public JsonElement Schema { get; private init; }

    /// <summary>Whether a parameter is bound from DI, so that the handler needs a service scope.</summary>
    public bool UsesServices => _bindings.Any(b => b.IsService);

    public static ScriptHandler Create(Delegate handler, JsonSerializerOptions json, IServiceProviderIsService? services)
    {
        if (json.TypeInfoResolver is null)
        {
            json = new JsonSerializerOptions(json) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        }

        var nullability = new NullabilityInfoContext();
        var bindings = handler.Method.GetParameters()
            .Select(p => ParameterBinding.For(p, nullability, services))
            .ToArray();

        return new ScriptHandler(handler, bindings, ResultUnwrapper.For(handler.Method.ReturnType), json)
        {
            Signature = BuildSignature(bindings),
            Schema = BuildSchema(bindings, json),
        };
    }

    public async ValueTask<JsonElement> InvokeAsync(ScriptContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        var arguments = new object?[_bindings.Length];
        for (var i = 0; i < _bindings.Length; i++)
        {
            arguments[i] = _bindings[i].Bind(context, services, _json, cancellationToken);
        }

        object? returned;
        try
        {
            returned = _handler.Method.Invoke(_handler.Target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        var result = await _unwrapResult(returned).ConfigureAwait(false);
        return result is null
            ? JsonSerializer.SerializeToElement<object?>(null, _json)
            : JsonSerializer.SerializeToElement(result, result.GetType(), _json);
    }

    private static string BuildSignature(ParameterBinding[] bindings)
    {
        var text = new StringBuilder("main(");
        var first = true;
        foreach (var binding in bindings.Where(b => b.IsArgument))
        {
            text.Append(first ? "" : ", ").Append(binding.Describe());
            first = false;
        }

        return text.Append(')').ToString();
    }

    private static JsonElement BuildSchema(ParameterBinding[] bindings, JsonSerializerOptions json)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var binding in bindings.Where(b => b.IsArgument))
        {
            var schema = json.GetJsonSchemaAsNode(binding.Parameter.ParameterType, SchemaOptions);
            if (schema is JsonObject objectSchema && binding.Parameter.HasDefaultValue)
            {
                objectSchema["default"] = JsonSerializer.SerializeToNode(binding.Parameter.DefaultValue, json);
            }

            properties[binding.Name] = schema;
            if (binding.IsRequired)
            {
                required.Add(binding.Name);
            }
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
        };
        return JsonSerializer.SerializeToElement(root);
    }

    private sealed class ParameterBinding
    {
        private enum Source { Argument, CancellationToken, Context, Logger, Service }

        private readonly Source _source;

        private ParameterBinding(ParameterInfo parameter, Source source, bool isRequired)
        {
            Parameter = parameter;
            _source = source;
            IsRequired = isRequired;
        }

        public ParameterInfo Parameter { get; }

        public string Name => Parameter.Name!;

        public bool IsArgument => _source == Source.Argument;

        public bool IsService => _source == Source.Service;

        public bool IsRequired { get; }

        public static ParameterBinding For(ParameterInfo parameter, NullabilityInfoContext nullability, IServiceProviderIsService? services)
        {
            var type = parameter.ParameterType;
            if (parameter.Name is null)
            {
                throw new ArgumentException("Script handlers must have named parameters.", nameof(parameter));
            }

            if (type == typeof(CancellationToken))
            {
                return new(parameter, Source.CancellationToken, false);
            }

            if (type == typeof(ScriptContext))
            {
                return new(parameter, Source.Context, false);
            }

            if (type == typeof(ILogger))
            {
                return new(parameter, Source.Logger, false);
            }

            if (services?.IsService(type) == true)
            {
                return new(parameter, Source.Service, false);
            }

            var nullable = Nullable.GetUnderlyingType(type) is not null
                || (!type.IsValueType && nullability.Create(parameter).WriteState != NullabilityState.NotNull);
            return new(parameter, Source.Argument, !parameter.HasDefaultValue && !nullable);
        }

        public object? Bind(ScriptContext context, IServiceProvider services, JsonSerializerOptions json, CancellationToken cancellationToken) =>
            _source switch
            {
                Source.CancellationToken => cancellationToken,
                Source.Context => context,
                Source.Logger => context.Logger,
                Source.Service => services.GetRequiredService(Parameter.ParameterType),
                _ => BindArgument(context.Args, json),
            };

        private object? BindArgument(JsonElement args, JsonSerializerOptions json)
        {
            if (args.ValueKind == JsonValueKind.Object && args.TryGetProperty(Name, out var value)
                && !(value.ValueKind == JsonValueKind.Null && IsRequired))
            {
                try
                {
                    return value.Deserialize(Parameter.ParameterType, json);
                }
                catch (JsonException e)
                {
                    throw new ScriptArgumentException($"Argument '{Name}' is not a valid {Describe(Parameter.ParameterType)}: {e.Message}");
                }
            }

            if (Parameter.HasDefaultValue)
            {
                return Parameter.DefaultValue is null && Parameter.ParameterType.IsValueType
                    ? Activator.CreateInstance(Parameter.ParameterType)
                    : Parameter.DefaultValue;
            }

            return IsRequired
                ? throw new ScriptArgumentException($"Missing required argument '{Name}' of type {Describe(Parameter.ParameterType)}.")
                : null;
        }

        public string Describe()
        {
            var text = $"{Describe(Parameter.ParameterType)} {Name}";
            return Parameter.HasDefaultValue ? $"{text} = {JsonSerializer.Serialize(Parameter.DefaultValue)}" : text;
        }

        private static string Describe(Type type) => type switch
        {
            _ when Nullable.GetUnderlyingType(type) is { } inner => Describe(inner) + "?",
            { IsGenericType: true } => $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>",
            _ => type.Name,
        };
    }

    private static class ResultUnwrapper
    {
        public static Func<object?, ValueTask<object?>> For(Type returnType)
        {
            if (returnType == typeof(void) || returnType == typeof(Task) || returnType == typeof(ValueTask))
            {
                return async returned =>
                {
                    switch (returned)
                    {
                        case Task task: await task.ConfigureAwait(false); break;
                        case ValueTask valueTask: await valueTask.ConfigureAwait(false); break;
                    }

                    return null;
                };
            }

            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            {
                var result = returnType.GetProperty(nameof(Task<object>.Result))!;
                return async returned =>
                {
                    await ((Task)returned!).ConfigureAwait(false);
                    return result.GetValue(returned);
                };
            }

            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            {
                var asTask = returnType.GetMethod(nameof(ValueTask<object>.AsTask))!;
                var result = typeof(Task<>).MakeGenericType(returnType.GetGenericArguments()).GetProperty(nameof(Task<object>.Result))!;
                return async returned =>
                {
                    var task = (Task)asTask.Invoke(returned, null)!;
                    await task.ConfigureAwait(false);
                    return result.GetValue(task);
                };
            }

            return returned => ValueTask.FromResult(returned);
        }
    }
}

/// <summary>Thrown when a job's arguments do not fit the handler's parameters.</summary>
public sealed class ScriptArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ScriptArgumentException(string message) : base(message)
    {
    }
}
