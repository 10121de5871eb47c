using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Windmill.Webhooks.AspNetCore.Authentication;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>users/whoami</c> in a workspace: who the caller is and which rights they have.</summary>
internal static class UserEndpoints
{
    public static void Map(RouteGroupBuilder workspace) =>
        workspace.MapGroup("/users").RequireAuthorization(WindmillTokenDefaults.PolicyName).WithTags("Users")
            .MapGet("/whoami", WhoAmI).Operation("WhoAmI", "The caller as Windmill's User").ProducesJson(StatusCodes.Status200OK);

    // Any valid token may ask: the answer tells the caller only about themselves.
    private static ContentHttpResult WhoAmI(HttpContext context)
    {
        var caller = context.User.ToCaller();
        var user = new UserJson(caller.Username, caller.Username, caller.IsAdmin, caller.IsSuperAdmin);
        return TypedResults.Text(JsonSerializer.Serialize(user, WindmillJsonContext.Wire.UserJson), SyncResponse.JsonContentType);
    }
}

/// <summary>
/// Windmill's <c>User</c>. The library keeps no user directory: the email is the username, and there are no
/// operators, groups or folders.
/// </summary>
internal sealed record UserJson(string Email, string Username, bool IsAdmin, bool IsSuperAdmin)
{
    public bool Operator { get; init; }
    public bool Disabled { get; init; }
    public IReadOnlyList<string> Groups { get; init; } = [];
    public IReadOnlyList<string> Folders { get; init; } = [];
    public IReadOnlyList<string> FoldersOwners { get; init; } = [];
}
