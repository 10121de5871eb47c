using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="ITokenStore"/> in memory; everything is lost when the process stops.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly Dictionary<string, ApiToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _insertionOrder = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask CreateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        lock (_lock)
        {
            if (_tokens.ContainsKey(token.TokenHash) || _tokens.Values.Any(t => t.Prefix == token.Prefix))
            {
                throw new InvalidOperationException("A token with the same hash or prefix already exists.");
            }

            _tokens.Add(token.TokenHash, token);
            _insertionOrder.Add(token.TokenHash, _insertionOrder.Count);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_tokens.GetValueOrDefault(tokenHash));
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_tokens.Values.FirstOrDefault(t => t.Prefix == prefix));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ApiToken> ListAsync(string? owner, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _tokens.Values.Where(t => owner is null || t.Owner == owner)
                .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => _insertionOrder[t.TokenHash])
                .ToList().ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        lock (_lock)
        {
            if (!_tokens.TryGetValue(token.TokenHash, out var stored))
            {
                return ValueTask.FromResult(false);
            }

            _tokens[token.TokenHash] = stored with { Label = token.Label, Scopes = token.Scopes, ReadOnly = token.ReadOnly };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteByPrefixAsync(string owner, string prefix, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var doomed = _tokens.Values.Where(t => t.Owner == owner && t.Prefix == prefix).Select(t => t.TokenHash).ToList();
            doomed.ForEach(hash => { _tokens.Remove(hash); _insertionOrder.Remove(hash); });
            return ValueTask.FromResult(doomed.Count);
        }
    }

    /// <inheritdoc />
    public ValueTask TouchAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_tokens.TryGetValue(tokenHash, out var token) && token.LastUsedAt < usedAt)
            {
                _tokens[tokenHash] = token with { LastUsedAt = usedAt };
            }
        }

        return ValueTask.CompletedTask;
    }
}
