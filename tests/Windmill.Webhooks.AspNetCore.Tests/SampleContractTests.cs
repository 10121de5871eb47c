using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The sample contract of docs/design.md: Windmill's documented curl calls and the four demo scripts.</summary>
public sealed class SampleContractTests
{
    private const string HelloWorld = SampleApp.Api + "/jobs/run_wait_result/p/u/bot/hello_world";

    [Fact]
    public async Task Windmill_curl_with_query_token_gets_hello_world()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync($"{HelloWorld}?token={SampleApp.AdminToken}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
    }

    [Fact]
    public async Task Windmill_curl_with_bearer_header_gets_hello_world()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
    }

    [Fact]
    public async Task Hello_world_greets_the_name_given()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(HelloWorld, Wire.JsonBody("""{"name":"Bob"}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, Bob!\"");
    }

    [Fact]
    public async Task The_greet_flow_runs_the_stored_script_the_inline_step_and_the_loop()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/f/f/examples/greet",
            Wire.JsonBody("""{"name":"Ada","friends":["Bob","Cy"]}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json,
            """{"greeting":"HELLO, ADA, FROM TYPESCRIPT!","friends":["Hello, Bob!","Hello, Cy!"]}""");
    }

    [Fact]
    public async Task Echo_returns_its_args_exactly()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        // Nesting, every JSON kind, a non-integer, non-ASCII and characters an HTML encoder would escape.
        const string args = """{"text":"Zoë <b>&</b> 'q' \"d\"","n":1.5,"big":12345678901234,"flag":true,"none":null,"list":[1,"two",{"three":[]}],"nested":{"a":{}}}""";

        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/echo", Wire.JsonBody(args));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, args);
    }

    [Fact]
    public async Task Fail_answers_422_with_the_error_json()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/fail", Wire.JsonBody("""{"message":"disk on fire"}"""));

        await Wire.AssertAsync(response, HttpStatusCode.UnprocessableEntity, Wire.Json,
            """{"error":{"name":"InvalidOperationException","message":"disk on fire"}}""");
    }

    [Fact]
    public async Task Sleep_returns_the_milliseconds_it_slept()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/sleep", Wire.JsonBody("""{"ms":5}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "5");
    }

    [Fact]
    public async Task Sample_keeps_its_data_in_the_ConnectionStrings_Windmill_file()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(app.DatabasePath, app.Services.GetRequiredService<SqliteDatabase>().DataSource);
        Assert.True(File.Exists(app.DatabasePath));
    }
}
