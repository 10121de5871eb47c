using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>What every test host offers its tests: a client with a minted token, and a job's completion in <c>demo</c>.</summary>
internal static class TestHosts
{
    /// <summary>A client that presents a token minted for <see cref="NewTokenRequest.Owner"/> with exactly what is asked.</summary>
    public static async Task<HttpClient> CreateClientWithTokenAsync(this WebApplication app, NewTokenRequest token)
    {
        var (plaintext, _) = await app.Services.GetRequiredService<TokenService>().CreateAsync(token, CancellationToken.None);
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", plaintext);
        return client;
    }

    /// <summary>Job <paramref name="id"/> of workspace <c>demo</c> once it completed, within the test time limit.</summary>
    public static async Task<Job> WaitForCompletionAsync(this IJobRunner runner, Guid id) =>
        await runner.WaitForCompletionAsync("demo", id, CancellationToken.None).Within() ?? throw new InvalidOperationException($"job {id} is unknown");
}
