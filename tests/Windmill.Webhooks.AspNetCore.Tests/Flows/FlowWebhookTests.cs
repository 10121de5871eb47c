using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.AspNetCore.Tests.Flows.FlowRequests;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>
/// The flow webhooks: <c>jobs/run/f/…</c> (201, the job id) and <c>jobs/run_wait_result/f/…</c> by POST and GET (200 with the result,
/// 422 with the error), with scope <c>jobs:run:flows:&lt;path&gt;</c> and audit <c>jobs.run.flow</c>. The host's
/// The flows are real: one inline step that answers the flow's args (<see cref="FlowRequests.Value"/>).
/// </summary>
public sealed class FlowWebhookTests
{
    private const string Jobs = StoredScriptHost.Api + "/jobs";

    [Fact]
    public async Task Run_answers_201_with_the_job_id_and_the_job_runs_the_newest_definition_with_its_audit_row()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "f/team/greet", Value("first"));
        await host.Client.PostAsync(FlowRequests.Flows + "/update/f/team/greet", Wire.JsonBody(NewFlow("f/team/greet", Value("second"))));

        using var response = await host.Client.PostAsync(Jobs + "/run/f/f/team/greet", Wire.JsonBody("""{"x":42}"""));
        var id = await Wire.AssertCreatedJobAsync(response);
        var job = await host.WaitForCompletionAsync(id);

        Assert.Equal((JobKind.Flow, "f/team/greet", 2L, Value("second")), (job.Runnable.Kind, job.Runnable.Path, job.Runnable.Hash.Value, job.Runnable.RawCode));
        Assert.Equal((JobStatus.Success, """{"x":42}"""), (job.Status, job.Result?.GetRawText()));
        var audit = Assert.Single(await host.AuditAsync("jobs.run"));
        Assert.Equal(("jobs.run.flow", "f/team/greet", id.ToString()), (audit.Operation, audit.Resource, audit.Parameters!["uuid"]));
    }

    [Fact]
    public async Task Run_wait_result_answers_the_flows_result_by_post_and_by_get()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/echo");
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"x":"by get"}"""));

        using var post = await host.Client.PostAsync(Jobs + "/run_wait_result/f/u/admin/echo", Wire.JsonBody("""{"x":1,"y":[true]}"""));
        using var get = await host.Client.GetAsync($"{Jobs}/run_wait_result/f/u/admin/echo?payload={Uri.EscapeDataString(payload)}");

        await Wire.AssertAsync(post, HttpStatusCode.OK, Wire.Json, """{"x":1,"y":[true]}""");
        await Wire.AssertAsync(get, HttpStatusCode.OK, Wire.Json, """{"x":"by get"}""");
        Assert.Equal(["jobs.run.flow", "jobs.run.flow"], (await host.AuditAsync("jobs.run")).Select(e => e.Operation));
    }

    [Fact]
    public async Task A_failed_flow_answers_422_with_its_error()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/echo");

        using var response = await host.Client.PostAsync(Jobs + "/run_wait_result/f/u/admin/echo", Wire.JsonBody("""{"fail":"step a broke"}"""));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(("FlowError", "step a broke", "a"),
            (error.GetProperty("name").GetString(), error.GetProperty("message").GetString(), error.GetProperty("step_id").GetString()));
    }

    [Fact]
    public async Task The_script_webhooks_body_and_query_rules_apply_to_flows()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/echo");
        var jobId = Guid.CreateVersion7();

        using var wrapped = await host.Client.PostAsync(Jobs + "/run_wait_result/f/u/admin/echo?wrap_body=true&include_query=a&a=1",
            Wire.JsonBody("""{"x":1}"""));
        using var text = await host.Client.PostAsync(Jobs + "/run_wait_result/f/u/admin/echo", new StringContent("hello", Encoding.UTF8, "text/plain"));
        using var chosenId = await host.Client.PostAsync($"{Jobs}/run/f/u/admin/echo?job_id={jobId}", Wire.JsonBody("{}"));
        using var unsupported = await host.Client.PostAsync(Jobs + "/run/f/u/admin/echo", new StringContent("x", Encoding.UTF8, "image/png"));
        using var badQuery = await host.Client.PostAsync(Jobs + "/run/f/u/admin/echo?scheduled_in_secs=soon", Wire.JsonBody("{}"));

        await Wire.AssertAsync(wrapped, HttpStatusCode.OK, Wire.Json, """{"body":{"x":1},"a":"1"}""");
        await Wire.AssertAsync(text, HttpStatusCode.OK, Wire.Json, """{"raw_string":"hello"}""");
        Assert.Equal(jobId, await Wire.AssertCreatedJobAsync(chosenId));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, Wire.Text), (badQuery.StatusCode, Wire.ContentType(badQuery)));
    }

    [Fact]
    public async Task An_idempotency_key_runs_a_flow_once()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/echo");

        async Task<HttpResponseMessage> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Jobs + "/run/f/u/admin/echo") { Content = Wire.JsonBody("{}") };
            request.Headers.Add("Idempotency-Key", "order-1");
            return await host.Client.SendAsync(request);
        }

        using var first = await Post();
        using var second = await Post();

        Assert.Equal(await Wire.AssertCreatedJobAsync(first), await Wire.AssertCreatedJobAsync(second));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(await host.AuditAsync("jobs.run.flow"));
    }

    [Fact]
    public async Task Only_a_token_with_the_flows_run_scope_runs_it_and_a_missing_token_is_401()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "f/team/a");
        using var flowScoped = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["jobs:run:flows:f/team/*"] });
        using var scriptScoped = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["jobs:run:scripts:f/team/a"] });
        using var anonymous = host.CreateAnonymousClient();

        using var allowed = await flowScoped.PostAsync(Jobs + "/run_wait_result/f/f/team/a", Wire.JsonBody("""{"x":1}"""));
        using var refused = await scriptScoped.PostAsync(Jobs + "/run/f/f/team/a", Wire.JsonBody("{}"));
        using var refusedSync = await scriptScoped.GetAsync(Jobs + "/run_wait_result/f/f/team/a");
        using var noToken = await anonymous.PostAsync(Jobs + "/run/f/f/team/a", Wire.JsonBody("{}"));

        await Wire.AssertAsync(allowed, HttpStatusCode.OK, Wire.Json, """{"x":1}""");
        await Wire.AssertAsync(refused, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: jobs:run:flows:f/team/a");
        await Wire.AssertAsync(refusedSync, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: jobs:run:flows:f/team/a");
        await Wire.AssertUnauthorizedAsync(noToken);
        var audit = Assert.Single(await host.AuditAsync("jobs.run"));
        Assert.Equal(("jobs.run.flow", "alice"), (audit.Operation, audit.Username));
    }

    [Fact]
    public async Task A_missing_or_archived_flow_is_windmills_404_and_a_malformed_path_400()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/old");
        await host.Client.PostAsync(FlowRequests.Flows + "/archive/u/admin/old", Wire.JsonBody("{}"));

        using var missing = await host.Client.PostAsync(Jobs + "/run/f/u/admin/none", Wire.JsonBody("{}"));
        using var archived = await host.Client.PostAsync(Jobs + "/run_wait_result/f/u/admin/old", Wire.JsonBody("{}"));
        using var malformed = await host.Client.PostAsync(Jobs + "/run/f/u/admin", Wire.JsonBody("{}"));
        using var aScriptPath = await host.Client.PostAsync(Jobs + "/run/p/u/admin/old", Wire.JsonBody("{}"));

        await Wire.AssertAsync(missing, HttpStatusCode.NotFound, Wire.Text, "Not found: flow not found at name u/admin/none");
        await Wire.AssertAsync(archived, HttpStatusCode.NotFound, Wire.Text, "Not found: flow not found at name u/admin/old");
        await Wire.AssertAsync(malformed, HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid flow path: u/admin");
        await Wire.AssertAsync(aScriptPath, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at name u/admin/old"); // flows are not scripts
        Assert.Empty(await host.AuditAsync("jobs.run"));
    }

    [Fact]
    public async Task Webhook_validators_probe_the_flow_routes_with_head_and_no_token()
    {
        await using var host = await StoredScriptHost.StartAsync();
        using var anonymous = host.CreateAnonymousClient();

        using var run = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, Jobs + "/run/f/u/admin/any"));
        using var wait = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, Jobs + "/run_wait_result/f/u/admin/any"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (run.StatusCode, wait.StatusCode));
    }
}
