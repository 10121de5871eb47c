namespace Windmill.Webhooks.Reliability.Tests.Infrastructure;

/// <summary>Reads answers for comparison as one tuple; <see cref="Wire"/> (shared with the HTTP tests) holds the format itself.</summary>
internal static class Answers
{
    /// <summary>A test's safety net, not a wait: a broken build fails instead of hanging the suite.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static async Task<(int Status, string? ContentType, string Body)> ReadAsync(HttpResponseMessage response) =>
        ((int)response.StatusCode, Wire.ContentType(response), await response.Content.ReadAsStringAsync());
}
