using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// What makes two requests "the same" for an <c>Idempotency-Key</c>: method, path, query (without the
/// token, in any order), content type and body bytes, hashed with SHA-256.
/// </summary>
internal static class RequestFingerprint
{
    public static string Compute(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        Add(request.Method);
        Add(request.PathBase + request.Path);
        foreach (var (name, values) in request.Query.Where(q => q.Key != Authentication.WindmillTokenDefaults.QueryParameter).OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            foreach (var value in values)
            {
                Add(name);
                Add(value ?? "");
            }
        }

        Add(request.ContentType ?? "");
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
