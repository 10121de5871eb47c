using System.Diagnostics.CodeAnalysis;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Tokens;

/// <summary>
/// Windmill's token scopes: <c>domain:action[:resources]</c>, with <c>jobs:run[:scripts|flows[:resources]]</c>
/// for running. Resources are comma-separated; <c>*</c> matches everything and <c>prefix/*</c> matches
/// <c>prefix</c> and everything below it. A token without scopes has its owner's full rights.
/// </summary>
public static class TokenScopes
{
    /// <summary>The scope that restricts job tags only; a token with nothing else counts as unscoped.</summary>
    public const string FilterTagsPrefix = "if_jobs:filter_tags:";

    /// <summary>The longest scope string accepted.</summary>
    public const int MaxLength = 512;

    private static readonly Dictionary<string, string> LegacyExact = new(StringComparer.Ordinal)
    {
        ["jobs:runscript"] = "jobs:run:scripts",
        ["jobs:runflow"] = "jobs:run:flows",
        ["jobs:resumeflow"] = "jobs:run:flows",
        ["jobs:listjobs"] = "jobs:read",
        ["jobs:deletejob"] = "jobs:write",
    };

    /// <summary>The required scope to run a script at <paramref name="path"/>.</summary>
    public static string RunScript(string path) => "jobs:run:scripts:" + path;

    /// <summary>The required scope to run a flow at <paramref name="path"/>.</summary>
    public static string RunFlow(string path) => "jobs:run:flows:" + path;

    /// <summary>Rewrites a legacy form to the current one and checks the syntax.</summary>
    public static bool TryNormalize(string? scope, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(scope) || scope.Length > MaxLength || scope.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var rewritten = scope switch
        {
            _ when LegacyExact.TryGetValue(scope, out var current) => current,
            _ when scope.StartsWith("run:script/", StringComparison.Ordinal) => RunScript(scope["run:script/".Length..]),
            _ when scope.StartsWith("run:flow/", StringComparison.Ordinal) => RunFlow(scope["run:flow/".Length..]),
            _ => scope,
        };

        if (rewritten.StartsWith(FilterTagsPrefix, StringComparison.Ordinal))
        {
            var tags = rewritten[FilterTagsPrefix.Length..].Split(',');
            normalized = tags.All(t => t.Length > 0) ? rewritten : null;
            return normalized is not null;
        }

        if (!Scope.TryParse(rewritten, out _))
        {
            return false;
        }

        normalized = rewritten;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="scope"/> runs exactly one script or flow: <c>jobs:run:scripts:&lt;path&gt;</c> or
    /// <c>jobs:run:flows:&lt;path&gt;</c> (or a legacy form of them) with a valid path, no wildcard and no list.
    /// </summary>
    public static bool NamesOneRunnable(string scope)
    {
        if (!TryNormalize(scope, out var normalized))
        {
            return false;
        }

        var path = normalized.StartsWith(RunScript(""), StringComparison.Ordinal) ? normalized[RunScript("").Length..]
            : normalized.StartsWith(RunFlow(""), StringComparison.Ordinal) ? normalized[RunFlow("").Length..]
            : null;
        return ScriptPaths.IsValid(path);
    }

    /// <summary>Whether the scopes leave the owner's full rights (none, or only tag filters).</summary>
    public static bool IsUnscoped(IReadOnlyList<string>? scopes) =>
        scopes is null || scopes.All(s => s.StartsWith(FilterTagsPrefix, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="scopes"/> grant <paramref name="required"/>, such as <c>jobs:run:scripts:u/alice/hello</c> or <c>jobs:read</c>.</summary>
    public static bool Allows(IReadOnlyList<string>? scopes, string required)
    {
        if (IsUnscoped(scopes))
        {
            return true;
        }

        if (!Scope.TryParse(required, out var need))
        {
            return false;
        }

        foreach (var text in scopes!)
        {
            if (TryNormalize(text, out var normalized) && Scope.TryParse(normalized, out var granted) && granted.Grants(need))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether every scope of <paramref name="requested"/> is granted by <paramref name="held"/>: a scoped token may only mint narrower tokens.</summary>
    public static bool IsSubset(IReadOnlyList<string>? requested, IReadOnlyList<string>? held)
    {
        if (IsUnscoped(held))
        {
            return true;
        }

        return !IsUnscoped(requested) && requested!.All(scope => IsCovered(scope, held!));
    }

    private static bool IsCovered(string scope, IReadOnlyList<string> held)
    {
        if (scope.StartsWith(FilterTagsPrefix, StringComparison.Ordinal))
        {
            return held.Contains(scope, StringComparer.Ordinal);
        }

        if (!TryNormalize(scope, out var normalized) || !Scope.TryParse(normalized, out var wanted))
        {
            return false;
        }

        // Each resource of a multi-resource scope must be granted on its own.
        return wanted.Resources is null
            ? Allows(held, normalized)
            : wanted.Resources.All(resource => Allows(held, wanted.WithResource(resource)));
    }

    private sealed record Scope(string Domain, string Action, string? Kind, IReadOnlyList<string>? Resources)
    {
        private static readonly HashSet<string> Actions = ["read", "write", "delete", "run"];

        public static bool TryParse(string text, [NotNullWhen(true)] out Scope? scope)
        {
            scope = null;
            var parts = text.Split(':', 3);
            if (parts.Length < 2 || !IsName(parts[0]) || !Actions.Contains(parts[1]))
            {
                return false;
            }

            var action = parts[1] == "delete" ? "write" : parts[1];
            string? kind = null;
            var rest = parts.Length == 3 ? parts[2] : null;
            if (action == "run")
            {
                if (parts[0] != "jobs")
                {
                    return false;
                }

                if (rest is not null)
                {
                    var kindAndResources = rest.Split(':', 2);
                    kind = kindAndResources[0];
                    if (kind is not ("scripts" or "flows"))
                    {
                        return false;
                    }

                    rest = kindAndResources.Length == 2 ? kindAndResources[1] : null;
                }
            }

            IReadOnlyList<string>? resources = null;
            if (rest is not null)
            {
                resources = rest.Split(',');
                if (resources.Any(r => r.Length == 0))
                {
                    return false;
                }
            }

            scope = new Scope(parts[0], action, kind, resources);
            return true;
        }

        public string WithResource(string resource) =>
            Kind is null ? $"{Domain}:{Action}:{resource}" : $"{Domain}:{Action}:{Kind}:{resource}";

        public bool Grants(Scope need)
        {
            if (Domain != need.Domain || !(Action == need.Action || (Action == "write" && need.Action == "read")))
            {
                return false;
            }

            if (Kind is not null && Kind != need.Kind)
            {
                return false;
            }

            if (Resources is null)
            {
                return true;
            }

            return need.Resources is { Count: 1 } && Resources.Any(pattern => Matches(pattern, need.Resources[0]));
        }

        private static bool Matches(string pattern, string resource) =>
            pattern == "*"
            || pattern == resource
            || (pattern.EndsWith("/*", StringComparison.Ordinal)
                && (resource == pattern[..^2] || resource.StartsWith(pattern[..^1], StringComparison.Ordinal)));

        private static bool IsName(string text) => text.Length > 0 && text.All(c => c is (>= 'a' and <= 'z') or '_');
    }
}
