using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.AspNetCore.Tests.Flows.FlowRequests;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>The flows routes (windmill-api.md §11): Windmill's answers for create, read, update, archive, delete, history and list.</summary>
public sealed class FlowRouteTests
{
    [Fact]
    public async Task Create_answers_201_with_the_path_and_the_flow_reads_back_in_windmills_json()
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var created = await PostCreateAsync(host.Client, NewFlow("u/admin/greet", summary: "Greets"));
        using var read = await host.Client.GetAsync(FlowRequests.Flows + "/get/u/admin/greet");
        using var exists = await host.Client.GetAsync(FlowRequests.Flows + "/exists/u/admin/greet");

        await Wire.AssertAsync(created, HttpStatusCode.Created, Wire.Text, "u/admin/greet");
        await Wire.AssertAsync(read, HttpStatusCode.OK, Wire.Json,
            $$"""{"workspace_id":"demo","path":"u/admin/greet","summary":"Greets","description":"","value":{{Value()}},"schema":{{Schema}},"edited_by":"admin","edited_at":"2025-01-31T10:00:00.000000Z","archived":false,"extra_perms":{},"starred":false,"version_id":1}""");
        await Wire.AssertAsync(exists, HttpStatusCode.OK, Wire.Json, "true");
        Assert.Equal(["flows.create Create admin u/admin/greet flow=u/admin/greet"], (await host.AuditAsync("flows.")).Select(Describe));
    }

    [Fact]
    public async Task A_create_at_a_path_that_has_a_flow_is_windmills_400_and_stores_nothing()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f", Value("first"));

        using var again = await PostCreateAsync(host.Client, NewFlow("u/admin/f", Value("second")));

        await Wire.AssertAsync(again, HttpStatusCode.BadRequest, Wire.Text, "Bad request: Flow u/admin/f already exists");
        Assert.Equal("first", (await GetAsync(host.Client, "u/admin/f")).GetProperty("value").GetProperty("modules")[0].GetProperty("id").GetString());
        Assert.Single(await host.AuditAsync("flows."));
    }

    [Fact]
    public async Task Update_adds_a_version_answers_the_path_and_history_lists_the_versions_newest_first()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f", Value("first"));
        host.Time.Advance(TimeSpan.FromMinutes(1));

        using var updated = await host.Client.PostAsync(FlowRequests.Flows + "/update/u/admin/f",
            Wire.JsonBody($$"""{"summary":"Second","value":{{Value("second")}},"deployment_message":"step renamed"}"""));
        var flow = await GetAsync(host.Client, "u/admin/f");
        using var history = await host.Client.GetAsync(FlowRequests.Flows + "/history/p/u/admin/f");

        await Wire.AssertAsync(updated, HttpStatusCode.OK, Wire.Text, "u/admin/f");
        Assert.Equal(("Second", 2, "second", "2025-01-31T10:01:00.000000Z"), (flow.GetProperty("summary").GetString(), flow.GetProperty("version_id").GetInt32(),
            flow.GetProperty("value").GetProperty("modules")[0].GetProperty("id").GetString(), flow.GetProperty("edited_at").GetString()));
        Assert.False(flow.TryGetProperty("schema", out _)); // an update states the whole flow: no schema sent, none kept
        await Wire.AssertAsync(history, HttpStatusCode.OK, Wire.Json,
            """[{"id":2,"created_at":"2025-01-31T10:01:00.000000Z","deployment_msg":"step renamed"},{"id":1,"created_at":"2025-01-31T10:00:00.000000Z"}]""");
        Assert.Equal(["flows.update Create admin u/admin/f flow=u/admin/f", "flows.create Create admin u/admin/f flow=u/admin/f"],
            (await host.AuditAsync("flows.")).Select(Describe));
    }

    [Fact]
    public async Task Update_of_a_missing_flow_is_404_and_one_that_renames_is_400()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f");

        using var missing = await host.Client.PostAsync(FlowRequests.Flows + "/update/u/admin/none", Wire.JsonBody(NewFlow("u/admin/none")));
        using var rename = await host.Client.PostAsync(FlowRequests.Flows + "/update/u/admin/f", Wire.JsonBody(NewFlow("u/admin/g")));

        await Wire.AssertAsync(missing, HttpStatusCode.NotFound, Wire.Text, "Not found: Flow not found at name u/admin/none");
        await Wire.AssertAsync(rename, HttpStatusCode.BadRequest, Wire.Text, "Bad request: the flow's path u/admin/g is not u/admin/f: flows cannot be renamed here");
        Assert.Equal(["u/admin/f"], await ListedPathsAsync(host.Client));
        Assert.Single(await host.AuditAsync("flows."));
    }

    [Fact]
    public async Task An_unknown_flow_is_windmills_404_and_does_not_exist()
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var read = await host.Client.GetAsync(FlowRequests.Flows + "/get/u/admin/none");
        using var exists = await host.Client.GetAsync(FlowRequests.Flows + "/exists/u/admin/none");
        using var history = await host.Client.GetAsync(FlowRequests.Flows + "/history/p/u/admin/none");

        await Wire.AssertAsync(read, HttpStatusCode.NotFound, Wire.Text, "Not found: Flow not found at path u/admin/none");
        await Wire.AssertAsync(exists, HttpStatusCode.OK, Wire.Json, "false");
        await Wire.AssertAsync(history, HttpStatusCode.OK, Wire.Json, "[]");
    }

    [Fact]
    public async Task Archive_answers_windmills_text_hides_the_flow_from_the_list_and_unarchive_brings_it_back()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f");

        using var archived = await host.Client.PostAsync(FlowRequests.Flows + "/archive/u/admin/f", Wire.JsonBody("{}"));
        var read = await GetAsync(host.Client, "u/admin/f");
        var live = await ListedPathsAsync(host.Client);
        var archivedList = await ListedPathsAsync(host.Client, "?show_archived=true");
        using var exists = await host.Client.GetAsync(FlowRequests.Flows + "/exists/u/admin/f");
        using var unarchived = await host.Client.PostAsync(FlowRequests.Flows + "/archive/u/admin/f", Wire.JsonBody("""{"archived":false}"""));

        await Wire.AssertAsync(archived, HttpStatusCode.OK, Wire.Text, "Flow u/admin/f archived");
        Assert.True(read.GetProperty("archived").GetBoolean());
        Assert.Empty(live);
        Assert.Equal(["u/admin/f"], archivedList);
        await Wire.AssertAsync(exists, HttpStatusCode.OK, Wire.Json, "true");
        await Wire.AssertAsync(unarchived, HttpStatusCode.OK, Wire.Text, "Flow u/admin/f archived"); // Windmill's text, whichever way
        Assert.Equal(["u/admin/f"], await ListedPathsAsync(host.Client));
        Assert.Equal(["flows.archive Delete admin u/admin/f workspace=demo", "flows.archive Delete admin u/admin/f workspace=demo"],
            (await host.AuditAsync("flows.archive")).Select(Describe));
    }

    [Fact]
    public async Task Delete_answers_windmills_text_and_removes_every_version_and_a_second_delete_is_404()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f");
        await host.Client.PostAsync(FlowRequests.Flows + "/update/u/admin/f", Wire.JsonBody(NewFlow("u/admin/f")));

        using var deleted = await host.Client.DeleteAsync(FlowRequests.Flows + "/delete/u/admin/f");
        using var read = await host.Client.GetAsync(FlowRequests.Flows + "/get/u/admin/f");
        using var history = await host.Client.GetAsync(FlowRequests.Flows + "/history/p/u/admin/f");
        using var again = await host.Client.DeleteAsync(FlowRequests.Flows + "/delete/u/admin/f");
        using var archiveGone = await host.Client.PostAsync(FlowRequests.Flows + "/archive/u/admin/f", Wire.JsonBody("{}"));

        await Wire.AssertAsync(deleted, HttpStatusCode.OK, Wire.Text, "Flow u/admin/f deleted");
        await Wire.AssertAsync(read, HttpStatusCode.NotFound, Wire.Text, "Not found: Flow not found at path u/admin/f");
        await Wire.AssertAsync(history, HttpStatusCode.OK, Wire.Json, "[]");
        await Wire.AssertAsync(again, HttpStatusCode.NotFound, Wire.Text, "Not found: Flow not found at name u/admin/f");
        await Wire.AssertAsync(archiveGone, HttpStatusCode.NotFound, Wire.Text, "Not found: Flow not found at name u/admin/f");
        Assert.Equal(["flows.delete Delete admin u/admin/f workspace=demo"], (await host.AuditAsync("flows.delete")).Select(Describe));
        await CreateAsync(host.Client, "u/admin/f"); // the path is free again
    }

    [Fact]
    public async Task List_answers_windmills_shape_ordered_by_path_with_its_filters_and_paging()
    {
        await using var host = await StoredScriptHost.StartAsync();
        using var bob = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "bob" });
        await CreateAsync(host.Client, "u/admin/b");
        await CreateAsync(host.Client, "u/admin/a");
        await CreateAsync(bob, "f/team/c");

        using var all = await host.Client.GetAsync(FlowRequests.Flows + "/list?path_exact=u/admin/a");

        await Wire.AssertAsync(all, HttpStatusCode.OK, Wire.Json,
            $$"""[{"workspace_id":"demo","path":"u/admin/a","summary":"A flow","description":"","value":{{Value()}},"schema":{{Schema}},"edited_by":"admin","edited_at":"2025-01-31T10:00:00.000000Z","archived":false,"extra_perms":{},"starred":false,"version_id":2}]""");
        Assert.Equal(["f/team/c", "u/admin/a", "u/admin/b"], await ListedPathsAsync(host.Client));
        Assert.Equal(["u/admin/a", "u/admin/b"], await ListedPathsAsync(host.Client, "?path_start=u/admin/"));
        Assert.Equal(["f/team/c"], await ListedPathsAsync(host.Client, "?created_by=bob"));
        Assert.Equal(["f/team/c"], await ListedPathsAsync(host.Client, "?edited_by=bob"));
        Assert.Equal(["u/admin/a"], await ListedPathsAsync(host.Client, "?page=2&per_page=1"));
    }

    [Theory]
    [InlineData("?page=x", "Bad request: page and per_page must be integers")]
    [InlineData("?show_archived=maybe", "Bad request: show_archived must be true or false")]
    public async Task A_malformed_list_query_is_400(string query, string body)
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var response = await host.Client.GetAsync(FlowRequests.Flows + "/list" + query);

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text, body);
    }
}
