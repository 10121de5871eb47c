using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Every route's body is capped (webhook runs at 2 MiB, every other route at 64 KiB) and what reaches an audit row
/// is cut, so no request can make the server hold, store or send back more than that.
/// </summary>
public sealed class RequestBodyLimitTests : SampleAppTest
{
    private const int ApiCap = 64 * 1024;
    private const string TooLarge = "Payload too large: the body exceeds 65536 bytes";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_25_MB_cancel_reason_is_413_having_read_at_most_the_cap_and_changes_nothing(bool announced)
    {
        var id = await StartSleepAsync();
        using var reason = new ReasonBody(25 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{SampleApp.Api}/jobs_u/queue/cancel/{id}") { Content = new StreamContent(reason) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (announced)
        {
            request.Content.Headers.ContentLength = reason.Length;
        }
        else
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await Client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, Wire.Text, TooLarge);
        // The server read at most the cap; the rest that left the client is what the in-process transport buffers.
        Assert.InRange(reason.Position, 0, ApiCap + (1024 * 1024));
        Assert.Equal(JobStatus.Running, (await App.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None))!.Status);
        Assert.DoesNotContain("jobs.cancel", await AuditAsync(), StringComparison.Ordinal);
        await App.Runner.CancelAsync(SampleApp.Workspace, id, "test", null, audit: null, CancellationToken.None);
    }

    [Theory]
    [InlineData("POST", "/api/users/tokens/create")]
    [InlineData("POST", "/api/users/tokens/update_label/abcdefghij")]
    [InlineData("GET", SampleApp.Api + "/audit/list")]
    [InlineData("GET", SampleApp.Api + "/scripts/get/p/u/bot/echo")]
    [InlineData("GET", SampleApp.Api + "/jobs/list")]
    public async Task Every_other_route_refuses_a_body_over_64_KiB(string method, string route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = Wire.JsonBody($$"""{"label":"{{new string('a', ApiCap)}}"}""") };

        await Wire.AssertAsync(await Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, Wire.Text, TooLarge);
    }

    [Fact]
    public async Task A_chunked_token_request_over_64_KiB_is_413_and_mints_nothing()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"label":"{{new string('a', ApiCap)}}"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/tokens/create") { Content = new StreamContent(new MemoryStream(body)) };
        request.Headers.TransferEncodingChunked = true;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        await Wire.AssertAsync(await Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, Wire.Text, TooLarge);
        Assert.DoesNotContain("users.token.create", await AuditAsync("global"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_run_still_takes_a_body_up_to_2_MiB()
    {
        var args = $$"""{"blob":"{{new string('b', 1024 * 1024)}}"}""";

        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/echo", Wire.JsonBody(args)));

        Assert.Equal(args, (await App.WaitForCompletionAsync(id)).Result!.Value.GetRawText());
    }

    [Fact]
    public async Task A_long_cancel_reason_is_cut_in_the_audit_row()
    {
        var id = await StartSleepAsync();
        var reason = new string('r', 10_000);

        using var response = await Client.PostAsync($"{SampleApp.Api}/jobs_u/queue/cancel/{id}", Wire.JsonBody($$"""{"reason":"{{reason}}"}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, id.ToString());
        using var audit = JsonDocument.Parse(await AuditAsync(query: "&operation=jobs.cancel"));
        var entry = Assert.Single(audit.RootElement.EnumerateArray());
        Assert.Equal(new string('r', AuditEntry.MaxValueLength - 1) + "…", entry.GetProperty("parameters").GetProperty("reason").GetString());
    }

    private async Task<Guid> StartSleepAsync()
    {
        var id = Guid.CreateVersion7();
        await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/sleep?job_id={id}", Wire.JsonBody("""{"ms":600000}""")));
        await App.JobStarts.StartedAsync(id);
        return id;
    }

    private async Task<string> AuditAsync(string workspace = SampleApp.Workspace, string query = "")
    {
        using var response = await Client.GetAsync($"/api/w/{workspace}/audit/list?per_page=100{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary><c>{"reason":"rrr…"}</c> of a given length, made as it is read; <see cref="Stream.Position"/> is how much was read.</summary>
    private sealed class ReasonBody(long length) : Stream
    {
        private static readonly byte[] Start = Encoding.ASCII.GetBytes("{\"reason\":\"");
        private static readonly byte[] End = Encoding.ASCII.GetBytes("\"}");

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Position);
            for (var i = 0; i < n; i++)
            {
                var at = Position + i;
                buffer[offset + i] = at < Start.Length ? Start[at] : at >= length - End.Length ? End[at - (length - End.Length)] : (byte)'r';
            }

            Position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
