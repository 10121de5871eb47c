using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Windmill's audit log routes (docs/wire-format.md §7), for admins: <c>audit/list</c> with every filter, and
/// <c>audit/get/{id}</c>. A sink that cannot be read answers as Windmill's Community Edition does.
/// </summary>
internal static class AuditEndpoints
{
    private const string Unreadable = "Audit log not available: the audit sink cannot be read";

    public static void Map(RouteGroupBuilder workspace)
    {
        var audit = workspace.MapGroup("/audit").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Audit").ProducesJson(StatusCodes.Status200OK).ProducesText(StatusCodes.Status403Forbidden);
        audit.MapGet("/list", ListAsync).Operation("ListAuditLogs", "Audit entries of the workspace, newest first (admins)")
            .WithQuery(new("operation", JsonSchemaType.String, "Only this operation"), new("operations", JsonSchemaType.String, "Comma-separated operations"),
                new("exclude_operations", JsonSchemaType.String, "Comma-separated operations to leave out"), new("resource", JsonSchemaType.String, "Only this resource"),
                new("username", JsonSchemaType.String, "Only this user"), new("action_kind", JsonSchemaType.String, "Create, Update, Delete or Execute"),
                new("before", JsonSchemaType.String, "Only entries before", "date-time"), new("after", JsonSchemaType.String, "Only entries after", "date-time"),
                new("before_id", JsonSchemaType.Integer, "Only entries with a smaller id"), new("page", JsonSchemaType.Integer, "The page, from 1"),
                new("per_page", JsonSchemaType.Integer, "Entries per page"));
        audit.MapGet("/get/{id}", GetAsync).Operation("GetAuditLog", "One audit entry (admins)").ProducesText(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(string workspace, HttpContext context, IAuditSink sink)
    {
        if (Authorize(context) is { } denied)
        {
            return denied;
        }

        if (ParseQuery(workspace, context.Request) is not { } query)
        {
            return WindmillErrors.BadRequest(
                "invalid audit filter: page, per_page and before_id must be integers, before and after RFC 3339 times, action_kind one of Create, Update, Delete, Execute");
        }

        var entries = sink is IAuditLogReader reader ? await reader.ListAsync(query, context.RequestAborted) : [];
        var json = JsonSerializer.Serialize(entries.Select(AuditJson.From).ToList(), WindmillJsonContext.Wire.ListAuditJson);
        return TypedResults.Text(json, SyncResponse.JsonContentType);
    }

    private static async Task<IResult> GetAsync(string workspace, string id, HttpContext context, IAuditSink sink)
    {
        if (Authorize(context) is { } denied)
        {
            return denied;
        }

        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var entryId))
        {
            return WindmillErrors.BadRequest($"invalid audit log id: {(id.Length <= 64 ? id : id[..64] + "…")}");
        }

        if (sink is not IAuditLogReader reader)
        {
            return WindmillErrors.NotFound(Unreadable);
        }

        var entry = await reader.GetAsync(workspace, entryId, context.RequestAborted);
        return entry is null
            ? WindmillErrors.NotFound($"Audit log {entryId} not found")
            : TypedResults.Text(JsonSerializer.Serialize(AuditJson.From(entry), WindmillJsonContext.Wire.AuditJson), SyncResponse.JsonContentType);
    }

    private static ContentHttpResult? Authorize(HttpContext context)
    {
        var caller = context.User.ToCaller();
        return !caller.IsAdmin ? WindmillErrors.RequireAdmin("audit logs") : WindmillAccess.CanRead(caller, "audit:read");
    }

    private static AuditQuery? ParseQuery(string workspace, HttpRequest request)
    {
        var query = request.Query;
        if (WindmillRequests.Paging(request) is not { } paging
            || !TryInstant(query["before"], out var before) || !TryInstant(query["after"], out var after)
            || !TryKind(query["action_kind"], out var kind))
        {
            return null;
        }

        long? beforeId = null;
        if (query.TryGetValue("before_id", out var beforeIdText))
        {
            if (!long.TryParse(beforeIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return null;
            }

            beforeId = parsed;
        }

        return new AuditQuery
        {
            WorkspaceId = workspace,
            Username = Text(query["username"]),
            Operation = Text(query["operation"]),
            Operations = List(query["operations"]),
            ExcludeOperations = List(query["exclude_operations"]),
            Resource = Text(query["resource"]),
            ActionKind = kind,
            Before = before,
            After = after,
            BeforeId = beforeId,
            Offset = paging.Offset,
            Limit = paging.Limit,
        };
    }

    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string[]? List(string? value) =>
        string.IsNullOrEmpty(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryInstant(string? text, out DateTimeOffset? instant)
    {
        instant = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed);
        instant = ok ? parsed : null;
        return ok;
    }

    // Windmill serializes Create|Update|Delete|Execute; its OpenAPI says Created|Updated: accept both.
    private static bool TryKind(string? text, out AuditActionKind? kind)
    {
        kind = text?.ToUpperInvariant() switch
        {
            null or "" => null,
            "CREATE" or "CREATED" => AuditActionKind.Create,
            "UPDATE" or "UPDATED" => AuditActionKind.Update,
            "DELETE" or "DELETED" => AuditActionKind.Delete,
            "EXECUTE" => AuditActionKind.Execute,
            _ => (AuditActionKind)(-1),
        };
        return kind is null || Enum.IsDefined(kind.Value);
    }
}
