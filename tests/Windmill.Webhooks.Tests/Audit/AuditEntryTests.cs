using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Tests.Audit;

/// <summary>An audit entry cuts its resource and parameter values as it is made, so every writer stores a bounded row.</summary>
public sealed class AuditEntryTests
{
    [Fact]
    public void Resource_and_parameter_values_are_cut_to_the_documented_length()
    {
        var entry = Entry(new string('r', 5000), new Dictionary<string, string> { ["reason"] = new string('x', 5000), ["uuid"] = "short" });

        Assert.Equal(new string('r', AuditEntry.MaxValueLength - 1) + "…", entry.Resource);
        Assert.Equal(new string('x', AuditEntry.MaxValueLength - 1) + "…", entry.Parameters!["reason"]);
        Assert.Equal("short", entry.Parameters["uuid"]);
    }

    [Fact]
    public void Values_at_the_limit_are_kept_whole_and_a_cut_never_splits_a_surrogate_pair()
    {
        var atLimit = new string('a', AuditEntry.MaxValueLength);
        var emoji = new string('a', AuditEntry.MaxValueLength - 2) + "😀" + "tail";

        var entry = Entry(atLimit, new Dictionary<string, string> { ["emoji"] = emoji });

        Assert.Same(atLimit, entry.Resource);
        Assert.Equal(new string('a', AuditEntry.MaxValueLength - 2) + "…", entry.Parameters!["emoji"]);
        Assert.Equal(new string('a', AuditEntry.MaxValueLength), (entry with { WorkspaceId = "other" }).Resource);
    }

    private static AuditEntry Entry(string resource, Dictionary<string, string> parameters) => new()
    {
        WorkspaceId = "demo",
        Timestamp = DateTimeOffset.UnixEpoch,
        Username = "alice",
        Operation = "jobs.cancel",
        ActionKind = AuditActionKind.Delete,
        Resource = resource,
        Parameters = parameters,
    };
}
