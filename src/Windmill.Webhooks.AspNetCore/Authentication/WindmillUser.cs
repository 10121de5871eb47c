namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>The Windmill user that a host's own principal acts as; see <see cref="WindmillTokenAuthenticationOptions.MapHostUser"/>.</summary>
/// <param name="Username">The user, who owns the tokens it creates.</param>
/// <param name="IsAdmin">Whether the user is an admin (reads the audit log, sees everyone's webhook tokens).</param>
/// <param name="IsSuperAdmin">Whether the user is a superadmin (also manages other users' tokens).</param>
public sealed record WindmillUser(string Username, bool IsAdmin = false, bool IsSuperAdmin = false);
