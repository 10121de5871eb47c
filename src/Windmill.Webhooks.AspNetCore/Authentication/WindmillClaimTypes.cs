namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>Claims of a principal authenticated with a Windmill token.</summary>
public static class WindmillClaimTypes
{
    /// <summary>Present with value <c>true</c> for a superadmin.</summary>
    public const string SuperAdmin = "windmill:super_admin";

    /// <summary>Present with value <c>true</c> for an admin.</summary>
    public const string Admin = "windmill:admin";

    /// <summary>The token's 10-character prefix.</summary>
    public const string TokenPrefix = "windmill:token_prefix";

    /// <summary>The token's label.</summary>
    public const string TokenLabel = "windmill:token_label";

    /// <summary>The only workspace the token works in.</summary>
    public const string Workspace = "windmill:workspace";

    /// <summary>One scope of the token (repeated).</summary>
    public const string Scope = "windmill:scope";

    /// <summary>Present with value <c>true</c> for a read-only token.</summary>
    public const string ReadOnly = "windmill:read_only";
}
