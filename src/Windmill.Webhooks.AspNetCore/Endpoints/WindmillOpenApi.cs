using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// What <c>AddOpenApi()</c> / <c>MapOpenApi()</c> say about the Windmill routes: each route's name and summary, its
/// answers (Windmill's errors are <c>text/plain</c>), its query options and its credentials. Inert without OpenAPI.
/// </summary>
internal static class WindmillOpenApi
{
    public const string Text = "text/plain";
    public const string Json = "application/json";

    /// <summary>The header credential, <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public const string BearerScheme = WindmillTokenDefaults.AuthenticationScheme;

    /// <summary>The same token as <c>?token=</c>, as Windmill's webhook snippets send it.</summary>
    public const string QueryScheme = WindmillTokenDefaults.AuthenticationScheme + "Query";

    /// <summary>The route's operation id and summary. The id is unique per <c>MapWindmillWebhooks</c> call (see <see cref="NameOperations"/>).</summary>
    public static RouteHandlerBuilder Operation(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.WithMetadata(new OperationName(name)).WithSummary(summary);

    /// <summary>Answers in Windmill's error format (<c>text/plain</c>), or a 201/200 text body.</summary>
    public static TBuilder ProducesText<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata([.. statuses.Select(status => new ProducesResponseTypeMetadata(status, typeof(string), [Text]))]);

    /// <summary>JSON answers; Windmill's own shapes, so the schema is left open.</summary>
    public static TBuilder ProducesJson<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata([.. statuses.Select(status => new ProducesResponseTypeMetadata(status, typeof(JsonElement), [Json]))]);

    /// <summary>An answer that is JSON or, for some refusals, Windmill's text.</summary>
    public static TBuilder ProducesJsonOrText<TBuilder>(this TBuilder builder, int status) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(JsonElement), [Json, Text]));

    /// <summary>
    /// An optional request body of these media types (JSON unless told otherwise), in the document only: <c>Accepts</c>
    /// metadata would make routing answer other media types 415 before the handler gives Windmill's answer.
    /// </summary>
    public static TBuilder AcceptsBody<TBuilder>(this TBuilder builder, params string[] contentTypes) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Content = (contentTypes.Length == 0 ? [Json] : contentTypes).ToDictionary(type => type, _ => new OpenApiMediaType()),
            };
            return Task.CompletedTask;
        });

    /// <summary>Query parameters (and headers) that the handler reads itself, so that they are not inferred.</summary>
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, params RequestOption[] options) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var option in options)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = option.Name,
                    In = option.In,
                    Description = option.Description,
                    Schema = new OpenApiSchema { Type = option.Type, Format = option.Format },
                });
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Declares the token schemes in the document and, on each operation, the credentials it takes: required where the route
    /// requires authorization, optional on the anonymous-capable <c>jobs_u</c> routes, none on <c>HEAD</c>.
    /// </summary>
    public static TBuilder WithTokenSecurity<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (context.Document is not { } document || HttpMethods.IsHead(context.Description.HttpMethod ?? ""))
            {
                return Task.CompletedTask;
            }

            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes.TryAdd(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A Windmill token: Authorization: Bearer <token>",
            });
            document.Components.SecuritySchemes.TryAdd(QueryScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Query,
                Name = WindmillTokenDefaults.QueryParameter,
                Description = "The same token in the query, as in Windmill's webhook snippets",
            });

            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(QueryScheme, document)] = [] });
            if (metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
            {
                operation.Security.Add(new OpenApiSecurityRequirement()); // the token is optional
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Turns each route's <see cref="OperationName"/> into its endpoint name (the OpenAPI operation id), suffixed after the
    /// first <c>MapWindmillWebhooks</c> call, since endpoint names must be unique in the app.
    /// </summary>
    public static TBuilder NameOperations<TBuilder>(this TBuilder builder, int mapping) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<OperationName>().LastOrDefault() is { } name)
            {
                endpoint.Metadata.Add(new EndpointNameMetadata(mapping == 0 ? name.Name : $"{name.Name}{mapping + 1}"));
            }
        });
        return builder;
    }

    /// <summary>A query option (or header) that the handler reads itself.</summary>
    public sealed record RequestOption(string Name, JsonSchemaType Type, string Description, string? Format = null,
        ParameterLocation In = ParameterLocation.Query);

    private sealed record OperationName(string Name);
}
