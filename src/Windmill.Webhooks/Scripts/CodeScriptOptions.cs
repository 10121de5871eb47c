namespace Windmill.Webhooks.Scripts;

/// <summary>How a script registered in code is deployed.</summary>
public sealed class CodeScriptOptions
{
    /// <summary>The workspace; <see cref="WindmillWebhooksOptions.DefaultWorkspace"/> when <see langword="null"/>.</summary>
    public string? Workspace { get; set; }

    /// <summary>
    /// The declared version. Changing it (or the handler's parameters) deploys a new script version
    /// with a new hash and archives the previous one.
    /// </summary>
    public string Version { get; set; } = "1";

    /// <summary>A one-line summary.</summary>
    public string Summary { get; set; } = "";

    /// <summary>A longer description.</summary>
    public string Description { get; set; } = "";

    /// <summary>
    /// The longest a job of this script may run; it can only shorten <see cref="WindmillWebhooksOptions.JobTimeout"/>.
    /// <see langword="null"/> (default): the instance's limit. Part of the version: changing it deploys a new one.
    /// </summary>
    public TimeSpan? Timeout { get; set; }
}
