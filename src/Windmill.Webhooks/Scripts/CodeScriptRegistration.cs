namespace Windmill.Webhooks.Scripts;

/// <summary>A script handler registered with <c>AddScript</c>; deployed at start-up by <see cref="ScriptCatalog"/>.</summary>
internal sealed record CodeScriptRegistration(string Path, Delegate Handler, CodeScriptOptions Options);
