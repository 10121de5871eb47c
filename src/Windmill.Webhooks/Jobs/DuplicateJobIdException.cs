namespace Windmill.Webhooks.Jobs;

/// <summary>Thrown when a job is enqueued with an id that already exists.</summary>
public sealed class DuplicateJobIdException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DuplicateJobIdException(Guid id)
        : base($"A job with id {id} already exists.") => Id = id;

    /// <summary>The duplicate id.</summary>
    public Guid Id { get; }
}
