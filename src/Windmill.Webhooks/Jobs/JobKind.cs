namespace Windmill.Webhooks.Jobs;

/// <summary>What a job runs; serialized in Windmill's lowercase <c>job_kind</c> vocabulary.</summary>
public enum JobKind
{
    /// <summary>A script version.</summary>
    Script,

    /// <summary>A flow version.</summary>
    Flow,
}
