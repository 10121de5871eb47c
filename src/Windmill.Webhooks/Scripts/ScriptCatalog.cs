using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Deploys the scripts registered in code into the <see cref="IScriptStore"/> and holds their handlers.
/// A registration whose version or parameters changed gets a new version; the old one is archived.
/// </summary>
internal sealed partial class ScriptCatalog
{
    internal const string CodeLanguage = "csharp";
    private const string SystemUser = "system";

    private readonly IReadOnlyList<CodeScriptRegistration> _registrations;
    private readonly IScriptStore _store;
    private readonly IAuditSink _audit;
    private readonly IServiceProviderIsService? _isService;
    private readonly WindmillWebhooksOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ScriptCatalog> _logger;
    private readonly Lock _lock = new();
    private Task<IReadOnlyDictionary<(string Workspace, string Path), DeployedScript>>? _deploying;
    private volatile IReadOnlyDictionary<(string Workspace, string Path), DeployedScript>? _deployed;

    public ScriptCatalog(IEnumerable<CodeScriptRegistration> registrations, IScriptStore store, IAuditSink audit,
        IServiceProvider services, IOptions<WindmillWebhooksOptions> options, TimeProvider time, ILogger<ScriptCatalog> logger)
    {
        _registrations = registrations.ToList();
        _store = store;
        _audit = audit;
        _isService = services.GetService<IServiceProviderIsService>();
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Deploys on first call; later calls share that result. A failed deployment is retried by the next call.</summary>
    public async ValueTask<IReadOnlyCollection<DeployedScript>> EnsureDeployedAsync(CancellationToken cancellationToken)
    {
        if (_deployed is { } ready)
        {
            return (IReadOnlyCollection<DeployedScript>)ready.Values;
        }

        Task<IReadOnlyDictionary<(string, string), DeployedScript>> deploying;
        lock (_lock)
        {
            if (_deploying is null || _deploying.IsFaulted || _deploying.IsCanceled)
            {
                _deploying = DeployAllAsync(CancellationToken.None);
            }

            deploying = _deploying;
        }

        var deployed = await deploying.WaitAsync(cancellationToken).ConfigureAwait(false);
        _deployed = deployed;
        return (IReadOnlyCollection<DeployedScript>)deployed.Values;
    }

    /// <summary>The handler registered at a path, once deployed.</summary>
    public DeployedScript? Find(string workspace, string path) =>
        _deployed is { } deployed && deployed.TryGetValue((workspace, path), out var script) ? script : null;

    private async Task<IReadOnlyDictionary<(string, string), DeployedScript>> DeployAllAsync(CancellationToken cancellationToken)
    {
        var deployed = new Dictionary<(string, string), DeployedScript>();
        foreach (var registration in _registrations)
        {
            var workspace = registration.Options.Workspace ?? _options.DefaultWorkspace;
            var handler = ScriptHandler.Create(registration.Handler, _options.SerializerOptions, _isService);
            var version = await DeployAsync(workspace, registration, handler, cancellationToken).ConfigureAwait(false);
            deployed[(workspace, registration.Path)] = new DeployedScript(version, handler);
        }

        foreach (var workspace in deployed.Keys.Select(k => k.Item1).Distinct())
        {
            await ArchiveUnregisteredAsync(workspace, deployed, cancellationToken).ConfigureAwait(false);
        }

        return deployed;
    }

    private async Task<ScriptVersion> DeployAsync(string workspace, CodeScriptRegistration registration, ScriptHandler handler,
        CancellationToken cancellationToken)
    {
        var content = $"// .NET handler registered in code by the host application.\n// version: {registration.Options.Version}\n{TimeoutLine(registration.Options)}{handler.Signature}\n";
        var latest = await _store.GetLatestAsync(workspace, registration.Path, cancellationToken).ConfigureAwait(false);
        if (latest is not null && latest.Language == CodeLanguage && latest.Content == content)
        {
            return latest;
        }

        var version = new ScriptVersion
        {
            Workspace = workspace,
            Hash = ComputeHash(workspace, registration.Path, latest?.Hash, content),
            Path = registration.Path,
            ParentHash = latest?.Hash,
            Language = CodeLanguage,
            Content = content,
            Summary = registration.Options.Summary,
            Description = registration.Options.Description,
            Schema = handler.Schema,
            Timeout = registration.Options.Timeout,
            CreatedBy = SystemUser,
            CreatedAt = _time.GetUtcNow(),
        };

        var audit = new AuditEntry
        {
            WorkspaceId = workspace,
            Timestamp = version.CreatedAt,
            Username = SystemUser,
            Operation = latest is null ? "scripts.create" : "scripts.update",
            ActionKind = latest is null ? AuditActionKind.Create : AuditActionKind.Update,
            Resource = registration.Path,
            Parameters = new Dictionary<string, string> { ["hash"] = version.Hash.ToString() },
        };
        var auditInCommit = _store.CommitsWith(_audit);
        try
        {
            await _store.AddVersionAsync(version, auditInCommit ? audit : null, cancellationToken).ConfigureAwait(false);
        }
        catch (ScriptVersionConflictException)
        {
            // Another process sharing the store deployed the same version first; the hash is deterministic.
            return await _store.GetByHashAsync(workspace, version.Hash, cancellationToken).ConfigureAwait(false) ?? version;
        }

        Log.Deployed(_logger, registration.Path, version.Hash.ToString(), workspace);
        if (!auditInCommit)
        {
            await _audit.WriteAsync(audit, cancellationToken).ConfigureAwait(false);
        }

        return version;
    }

    private async Task ArchiveUnregisteredAsync(string workspace, Dictionary<(string, string), DeployedScript> deployed, CancellationToken cancellationToken)
    {
        var stale = new List<ScriptVersion>();
        await foreach (var script in _store.ListAsync(new ScriptQuery { Workspace = workspace, Languages = [CodeLanguage] }, cancellationToken).ConfigureAwait(false))
        {
            if (!deployed.ContainsKey((workspace, script.Path)))
            {
                stale.Add(script);
            }
        }

        foreach (var script in stale)
        {
            await _store.ArchiveAsync(workspace, script.Hash, audit: null, cancellationToken).ConfigureAwait(false);
            Log.ArchivedUnregistered(_logger, script.Path, workspace);
        }
    }

    // The limit is part of the version, so that a hash always names the same limit; scripts without one keep their old content.
    private static string TimeoutLine(CodeScriptOptions options) =>
        options.Timeout is { } timeout ? string.Create(CultureInfo.InvariantCulture, $"// timeout: {timeout.TotalSeconds} s\n") : "";

    // Deterministic, so processes sharing a store agree; the parent makes a reverted script a new version.
    private static ScriptHash ComputeHash(string workspace, string path, ScriptHash? parent, string content) =>
        ScriptHash.Of($"{workspace}\n{path}\n{parent}\n{content}");
}

/// <summary>A code-registered script as deployed: its current version and its handler.</summary>
internal sealed record DeployedScript(ScriptVersion Version, ScriptHandler Handler);
