namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Who makes a request: the user, their rights, and the token they came with. Jobs record
/// <see cref="CreatedBy"/> and <see cref="PermissionedAs"/> from it.
/// </summary>
/// <param name="Username">The user.</param>
public sealed record Caller(string Username)
{
    private static readonly string[] IdentityLabelPrefixes = ["webhook-", "http-", "email-", "ws-"];

    /// <summary>Whether the user is a superadmin: every right in every workspace, and over every user's tokens.</summary>
    public bool IsSuperAdmin { get; init; }

    /// <summary>Whether the user is an admin of the workspaces (reads the audit log). Superadmins are admins.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>The label of the token used, if any.</summary>
    public string? TokenLabel { get; init; }

    /// <summary>The token's scopes; <see langword="null"/> or empty means the user's full rights.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>Whether the token may only read.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The only workspace the token works in, or <see langword="null"/> for all.</summary>
    public string? WorkspaceId { get; init; }

    /// <summary>Whose rights jobs run with, as <c>u/&lt;user&gt;</c>.</summary>
    public string PermissionedAs => "u/" + Username;

    /// <summary>
    /// How jobs show their creator, as in Windmill: a token labelled <c>webhook-…</c>, <c>http-…</c>,
    /// <c>email-…</c> or <c>ws-…</c> shows its label; another label <c>l</c> shows <c>label-l</c>;
    /// otherwise the username.
    /// </summary>
    public string CreatedBy => TokenLabel switch
    {
        null or "" or "session" or "ephemeral-script" => Username,
        var label when IdentityLabelPrefixes.Any(p => label.StartsWith(p, StringComparison.Ordinal)) => label,
        var label => "label-" + label,
    };
}
