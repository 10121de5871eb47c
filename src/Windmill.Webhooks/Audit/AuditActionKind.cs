namespace Windmill.Webhooks.Audit;

/// <summary>The kind of action an audit entry records, as Windmill names them.</summary>
public enum AuditActionKind
{
    /// <summary>Something was created.</summary>
    Create,

    /// <summary>Something was changed.</summary>
    Update,

    /// <summary>Something was deleted or canceled.</summary>
    Delete,

    /// <summary>Something ran.</summary>
    Execute,
}
