namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>The body of <c>POST flows/archive/…</c>: Windmill's <c>{archived?: bool}</c>, true when left out.</summary>
internal sealed record ArchiveFlowJson(bool? Archived);
