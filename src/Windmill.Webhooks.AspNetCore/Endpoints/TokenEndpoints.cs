using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Windmill's token API under <c>/users/tokens</c> (docs/wire-format.md §6): create (the plaintext is in this
/// answer only), list (prefixes and metadata), delete, and update scopes or label. Each acts on the
/// caller's own tokens; an unscoped superadmin may name another user with <c>?username=</c>.
/// </summary>
internal static class TokenEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        // Every token route acts on the caller's tokens, or a superadmin's on another user's with ?username=.
        var tokens = api.MapGroup("/users/tokens").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Tokens").ProducesText(StatusCodes.Status403Forbidden)
            .WithQuery(new WindmillOpenApi.RequestOption("username", JsonSchemaType.String, "Superadmins: act on this user's tokens"));
        tokens.MapPost("/create", CreateAsync).Operation("CreateToken", "Creates a token and answers it, shown this once")
            .AcceptsBody().ProducesText(StatusCodes.Status201Created);
        tokens.MapGet("/list", ListAsync).Operation("ListTokens", "The caller's tokens: prefixes and metadata, never a token")
            .WithQuery(new WindmillOpenApi.RequestOption("exclude_ephemeral", JsonSchemaType.Boolean, "Leave out ephemeral tokens")).ProducesJson(StatusCodes.Status200OK);
        tokens.MapDelete("/delete/{prefix}", DeleteAsync).Operation("DeleteToken", "Deletes the token with a prefix").ProducesText(StatusCodes.Status200OK);
        tokens.MapPost("/update_scopes/{prefix}", UpdateScopesAsync).Operation("UpdateTokenScopes", "Replaces a token's scopes")
            .AcceptsBody().ProducesText(StatusCodes.Status200OK, StatusCodes.Status404NotFound);
        tokens.MapPost("/update_label/{prefix}", UpdateLabelAsync).Operation("UpdateTokenLabel", "Changes a token's label")
            .AcceptsBody().ProducesText(StatusCodes.Status200OK, StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, TokenService tokens)
    {
        var caller = context.User.ToCaller();
        if (WindmillAccess.CanWrite(caller, "users:write") is { } denied)
        {
            return denied;
        }

        if (Owner(context, caller, out var badQuery) is not { } owner)
        {
            return badQuery!;
        }

        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.NewTokenJson);
        if (error is not null)
        {
            return error;
        }

        return await Answer(async () =>
        {
            var token = await tokens.CreateForAsync(caller, new NewTokenRequest
            {
                Owner = owner,
                Label = request!.Label,
                Expiration = request.Expiration,
                Scopes = request.Scopes,
                WorkspaceId = request.WorkspaceId,
                ReadOnly = request.ReadOnly ?? false,
                SuperAdmin = request.SuperAdmin ?? false,
            }, context.RequestAborted);
            return WindmillErrors.Text(StatusCodes.Status201Created, token);
        });
    }

    private static async Task<IResult> ListAsync(HttpContext context, TokenService tokens)
    {
        var caller = context.User.ToCaller();
        if (WindmillAccess.CanRead(caller, "users:read") is { } denied)
        {
            return denied;
        }

        if (WindmillRequests.Paging(context.Request) is not { } paging)
        {
            return WindmillErrors.BadRequest("page and per_page must be integers");
        }

        if (Owner(context, caller, out var badQuery) is not { } owner)
        {
            return badQuery!;
        }

        var excludeEphemeral = string.Equals(context.Request.Query["exclude_ephemeral"], "true", StringComparison.OrdinalIgnoreCase);
        return await Answer(async () =>
        {
            var listed = await tokens.ListAsync(caller, owner, context.RequestAborted)
                .Where(t => !(excludeEphemeral && t.Label == "ephemeral-script"))
                .Skip(paging.Offset).Take(paging.Limit)
                .Select(t => TokenJson.From(t))
                .ToListAsync(context.RequestAborted);
            return TypedResults.Text(JsonSerializer.Serialize(listed, WindmillJsonContext.Wire.ListTokenJson), SyncResponse.JsonContentType);
        });
    }

    private static async Task<IResult> DeleteAsync(string prefix, HttpContext context, TokenService tokens)
    {
        if (CheckPrefix(prefix) is { } invalid)
        {
            return invalid;
        }

        var caller = context.User.ToCaller();
        if (WindmillAccess.CanWrite(caller, "users:write") is { } denied)
        {
            return denied;
        }

        if (Owner(context, caller, out var badQuery) is not { } owner)
        {
            return badQuery!;
        }

        return await Answer(async () =>
        {
            var deleted = await tokens.DeleteAsync(caller, owner, prefix, context.RequestAborted);
            // Windmill's own text, with Rust's debug format of the masked prefixes.
            var masked = string.Join(", ", deleted.Select(p => $"\"{p}*****\""));
            return WindmillErrors.Text(StatusCodes.Status200OK,
                string.Create(CultureInfo.InvariantCulture, $"deleted {deleted.Count} tokens [{masked}] with prefix {prefix}"));
        });
    }

    private static async Task<IResult> UpdateScopesAsync(string prefix, HttpContext context, TokenService tokens)
    {
        if (CheckPrefix(prefix) is { } invalid)
        {
            return invalid;
        }

        var caller = context.User.ToCaller();
        if (WindmillAccess.CanWrite(caller, "users:write") is { } denied)
        {
            return denied;
        }

        if (Owner(context, caller, out var badQuery) is not { } owner)
        {
            return badQuery!;
        }

        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.UpdateScopesJson);
        return error ?? await Answer(async () =>
        {
            await tokens.UpdateScopesAsync(caller, owner, prefix, request!.Scopes, context.RequestAborted);
            return WindmillErrors.Text(StatusCodes.Status200OK, $"updated scopes of token {prefix}");
        });
    }

    private static async Task<IResult> UpdateLabelAsync(string prefix, HttpContext context, TokenService tokens)
    {
        if (CheckPrefix(prefix) is { } invalid)
        {
            return invalid;
        }

        var caller = context.User.ToCaller();
        if (WindmillAccess.CanWrite(caller, "users:write") is { } denied)
        {
            return denied;
        }

        if (Owner(context, caller, out var badQuery) is not { } owner)
        {
            return badQuery!;
        }

        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.UpdateLabelJson);
        return error ?? await Answer(async () =>
        {
            await tokens.UpdateLabelAsync(caller, owner, prefix, request!.Label, context.RequestAborted);
            return WindmillErrors.Text(StatusCodes.Status200OK, $"updated label of token {prefix}");
        });
    }

    /// <summary>A prefix names a token by up to its first 10 characters, all from the token alphabet.</summary>
    private static ContentHttpResult? CheckPrefix(string prefix) =>
        prefix.Length is > 0 and <= TokenService.PrefixLength && prefix.All(char.IsAsciiLetterOrDigit)
            ? null
            : WindmillErrors.BadRequest($"invalid token prefix: expected 1 to {TokenService.PrefixLength} letters or digits");

    /// <summary>Whose tokens: the caller's, or the user named by <c>?username=</c> (the service decides who may name another).</summary>
    private static string? Owner(HttpContext context, Caller caller, out IResult? badQuery)
    {
        var reader = new QueryReader(context.Request.Query);
        var named = reader.String("username");
        badQuery = reader.Failure;
        return badQuery is not null ? null : string.IsNullOrEmpty(named) ? caller.Username : named;
    }

    private static async Task<IResult> Answer(Func<Task<ContentHttpResult>> action)
    {
        try
        {
            return await action();
        }
        catch (TokenRequestException e)
        {
            return e.Error switch
            {
                TokenRequestError.Forbidden => WindmillErrors.PermissionDenied(e.Message),
                TokenRequestError.NotFound => WindmillErrors.NotFound(e.Message),
                _ => WindmillErrors.BadRequest(e.Message),
            };
        }
    }
}
