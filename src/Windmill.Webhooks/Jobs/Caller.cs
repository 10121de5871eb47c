namespace Windmill.Webhooks.Jobs;

/// <summary>Who triggers a job: the authenticated user, and the token label that may override its name.</summary>
/// <param name="Username">The user.</param>
/// <param name="IsSuperAdmin">Whether the user is a superadmin.</param>
public sealed record Caller(string Username, bool IsSuperAdmin = false)
{
    /// <summary>How jobs record whose rights they run with.</summary>
    public string PermissionedAs => "u/" + Username;
}
