using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Creates, archives and deletes stored scripts for a <see cref="Caller"/>, the same way for the scripts routes and for the
/// host's own code. Each write checks the caller's rights (<c>scripts:write:&lt;path&gt;</c>, and a path of their own unless
/// they are an admin), then commits with its audit entry (<c>scripts.create</c>, <c>scripts.update</c>,
/// <c>scripts.archive</c>, <c>scripts.delete</c>) where the store can hold it.
/// </summary>
/// <remarks>
/// A refusal is an exception, and nothing is written: <see cref="ScriptRequestException"/> (400),
/// <see cref="ScriptCompilationException"/> (400), <see cref="PermissionDeniedException"/> (403) and
/// <see cref="ScriptNotFoundException"/> (404). The HTTP layer answers each with Windmill's error.
/// </remarks>
public sealed partial class StoredScripts
{
    private readonly IScriptStore _store;
    private readonly ScriptCatalog _catalog;
    private readonly IReadOnlyList<IScriptCompiler> _compilers;
    private readonly IAuditSink _audit;
    private readonly WindmillWebhooksOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StoredScripts> _logger;

    internal StoredScripts(IScriptStore store, ScriptCatalog catalog, IEnumerable<IScriptCompiler> compilers, IAuditSink audit,
        IOptions<WindmillWebhooksOptions> options, TimeProvider time, ILogger<StoredScripts> logger)
    {
        _store = store;
        _catalog = catalog;
        _compilers = compilers.ToList();
        _audit = audit;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Creates a version of <paramref name="script"/> as <paramref name="caller"/>, as <c>POST scripts/create</c> does, and
    /// returns it. The content is compiled by the <see cref="IScriptCompiler"/> of its language; the schema sent wins over
    /// the compiled one. Overwriting needs the current head as <see cref="NewScript.ParentHash"/>. Content identical to the
    /// head's (with the same summary, description, schema and time limit) adds no version: the head is returned.
    /// </summary>
    public async ValueTask<ScriptVersion> CreateAsync(string workspace, NewScript script, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(caller);
        await AuthorizeWriteAsync(workspace, script.Path, caller, cancellationToken).ConfigureAwait(false);
        var size = Encoding.UTF8.GetByteCount(script.Content);
        if (size > _options.MaxScriptContentSize)
        {
            throw new ScriptRequestException($"the script's content is {size} bytes, more than the {_options.MaxScriptContentSize} this server accepts");
        }

        if (script.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ScriptRequestException("timeout must be a positive number of seconds");
        }

        var compiler = _compilers.FirstOrDefault(c => c.Compiles(script.Language))
            ?? throw new ScriptRequestException($"language {script.Language} cannot be stored here: no script compiler takes it");
        var compilation = compiler.Compile(script.Language, script.Content);
        var schema = script.Schema ?? compilation.Schema;

        var head = await _store.GetLatestAsync(workspace, script.Path, cancellationToken).ConfigureAwait(false);
        if (head is not null && head.Language == script.Language && head.Content == script.Content && head.Summary == script.Summary
            && head.Description == script.Description && head.Timeout == script.Timeout && head.Schema?.GetRawText() == schema.GetRawText())
        {
            return head;
        }

        await CheckLineageAsync(workspace, script, head, cancellationToken).ConfigureAwait(false);
        var version = new ScriptVersion
        {
            Workspace = workspace,
            Hash = ComputeHash(workspace, script, schema),
            Path = script.Path,
            ParentHash = script.ParentHash,
            Language = script.Language,
            Content = script.Content,
            CompiledCode = compilation.Code,
            Summary = script.Summary,
            Description = script.Description,
            Schema = schema,
            Timeout = script.Timeout,
            CreatedBy = caller.Username,
            CreatedAt = _time.GetUtcNow(),
        };

        // Windmill's create_script: an update when the version names a parent.
        var audit = script.ParentHash is null
            ? Audit(workspace, caller, "scripts.create", AuditActionKind.Create, script.Path, ("workspace", workspace), ("hash", version.Hash.ToString()))
            : Audit(workspace, caller, "scripts.update", AuditActionKind.Update, script.Path, ("hash", version.Hash.ToString()));
        try
        {
            await WriteAsync(audit, async a =>
            {
                await _store.AddVersionAsync(version, a, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch (ScriptVersionConflictException)
        {
            throw new ScriptRequestException("A script with same hash (hence same path, description, summary, content) already exists!");
        }
        catch (ScriptLineageException e)
        {
            throw new ScriptRequestException(PathConflict(script.Path, e.Head)); // another version was deployed there meanwhile
        }

        Log.Created(_logger, script.Path, version.Hash.ToString(), workspace, caller.Username);
        return version;
    }

    /// <summary>
    /// Archives every version at <paramref name="path"/> as <paramref name="caller"/>, as <c>POST scripts/archive/p/…</c> does:
    /// the path runs no more, and each version still runs by hash. Throws <see cref="ScriptNotFoundException"/> when the path has no head.
    /// </summary>
    public async ValueTask ArchiveAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await AuthorizeWriteAsync(workspace, path, caller, cancellationToken).ConfigureAwait(false);
        var head = await _store.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false)
            ?? throw new ScriptNotFoundException(workspace, path);

        // Windmill's archive_script_by_path records the hash it archived.
        var audit = Audit(workspace, caller, "scripts.archive", AuditActionKind.Delete, head.Hash.ToString(), ("workspace", workspace));
        if (!await WriteAsync(audit, a => _store.ArchivePathAsync(workspace, path, a, cancellationToken)).ConfigureAwait(false))
        {
            throw new ScriptNotFoundException(workspace, path);
        }

        Log.Archived(_logger, path, workspace, caller.Username);
    }

    /// <summary>
    /// Archives exactly the version <paramref name="hash"/> as <paramref name="caller"/>, as <c>POST scripts/archive/h/…</c> does,
    /// and returns it archived; it still runs by hash. Throws <see cref="ScriptNotFoundException"/> for an unknown hash.
    /// </summary>
    public async ValueTask<ScriptVersion> ArchiveAsync(string workspace, ScriptHash hash, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        var version = await _store.GetByHashAsync(workspace, hash, cancellationToken).ConfigureAwait(false)
            ?? throw new ScriptNotFoundException(workspace, hash);
        await AuthorizeWriteAsync(workspace, version.Path, caller, cancellationToken).ConfigureAwait(false);
        var audit = Audit(workspace, caller, "scripts.archive", AuditActionKind.Delete, hash.ToString(), ("workspace", workspace));
        if (!await WriteAsync(audit, a => _store.ArchiveAsync(workspace, hash, a, cancellationToken)).ConfigureAwait(false))
        {
            throw new ScriptNotFoundException(workspace, hash);
        }

        Log.Archived(_logger, version.Path, workspace, caller.Username);
        return version with { Archived = true };
    }

    /// <summary>
    /// Deletes every version at <paramref name="path"/> as <paramref name="caller"/>, as <c>POST scripts/delete/p/…</c> does: none
    /// of their hashes runs or reads any more. Throws <see cref="ScriptNotFoundException"/> when the path has no version.
    /// </summary>
    public async ValueTask DeleteAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await AuthorizeWriteAsync(workspace, path, caller, cancellationToken).ConfigureAwait(false);
        var audit = Audit(workspace, caller, "scripts.delete", AuditActionKind.Delete, path, ("workspace", workspace));
        if (!await WriteAsync(audit, a => _store.DeletePathAsync(workspace, path, a, cancellationToken)).ConfigureAwait(false))
        {
            throw new ScriptNotFoundException(workspace, path);
        }

        Log.Deleted(_logger, path, workspace, caller.Username);
    }

    // A malformed path is refused before rights are checked; a path that code registers belongs to the host's code.
    private async ValueTask AuthorizeWriteAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        if (!ScriptPaths.IsValid(path))
        {
            throw new ScriptRequestException($"invalid script path: {path}: expected u/<user>/<name> or f/<folder>/<name>");
        }

        Permissions.Demand(Permissions.WriteScript(caller, workspace, path));
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        if (_catalog.Find(workspace, path) is not null)
        {
            throw new ScriptRequestException($"Path conflict for {path}: the host registers a script at this path in its code");
        }
    }

    // Windmill's lineage rules and texts (create_script_internal): one head per path, and no two children of one parent.
    private async ValueTask CheckLineageAsync(string workspace, NewScript script, ScriptVersion? head, CancellationToken cancellationToken)
    {
        if (script.ParentHash is not { } parentHash)
        {
            if (head is not null)
            {
                throw new ScriptRequestException(PathConflict(script.Path, head.Hash));
            }

            return;
        }

        var parent = await _store.GetByHashAsync(workspace, parentHash, cancellationToken).ConfigureAwait(false);
        if (parent is null)
        {
            throw new ScriptRequestException("The parent hash does not seem to exist");
        }

        if (parent.Path != script.Path)
        {
            throw new ScriptRequestException($"The parent hash {parentHash} is a version of {parent.Path}, not of {script.Path}: scripts cannot be renamed here");
        }

        var child = await _store.GetHistoryAsync(workspace, script.Path, cancellationToken)
            .FirstOrDefaultAsync(v => v.ParentHash == parentHash, cancellationToken).ConfigureAwait(false);
        if (child is not null)
        {
            throw new ScriptRequestException(
                $"A script with hash {child.Hash} with same parent_hash has been found. However, the lineage must be linear: no 2 scripts can have the same parent");
        }

        if (head is not null && head.Hash != parentHash)
        {
            throw new ScriptRequestException(PathConflict(script.Path, head.Hash));
        }
    }

    private static string PathConflict(string path, ScriptHash head) => $"Path conflict for {path} with non-archived hash {head}";

    // Deterministic, like the hashes of scripts registered in code: every field that makes the version is in it, each
    // prefixed by its length so that no two different versions share an identity.
    private static ScriptHash ComputeHash(string workspace, NewScript script, System.Text.Json.JsonElement schema)
    {
        var identity = new StringBuilder();
        foreach (var field in new[]
        {
            workspace, script.Path, script.ParentHash?.ToString() ?? "", script.Language, script.Content, script.Summary, script.Description,
            schema.GetRawText(), script.Timeout?.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) ?? "",
        })
        {
            identity.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }

        return ScriptHash.Of(identity.ToString());
    }

    private AuditEntry Audit(string workspace, Caller caller, string operation, AuditActionKind kind, string resource,
        params (string Key, string Value)[] parameters) =>
        AuditedWrite.Entry(workspace, caller, _time.GetUtcNow(), operation, kind, resource, parameters);

    private ValueTask<bool> WriteAsync(AuditEntry audit, Func<AuditEntry?, ValueTask<bool>> write) =>
        AuditedWrite.RunAsync(_store.CommitsWith(_audit), _audit, audit, write, written => written);
}
