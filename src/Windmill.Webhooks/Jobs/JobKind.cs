namespace Windmill.Webhooks.Jobs;

/// <summary>What a job runs; serialized in Windmill's lowercase <c>job_kind</c> vocabulary.</summary>
public enum JobKind
{
    /// <summary>A script version.</summary>
    Script,

    /// <summary>A flow version.</summary>
    Flow,

    /// <summary>Inline code that a flow step runs (Windmill's <c>rawscript</c> module, job kind <c>flowscript</c>).</summary>
    FlowScript,

    /// <summary>Inline code run on its own (Windmill's <c>preview</c>).</summary>
    Preview,
}
