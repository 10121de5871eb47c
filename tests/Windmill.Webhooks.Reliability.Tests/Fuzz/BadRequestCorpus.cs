using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;

namespace Windmill.Webhooks.Reliability.Tests.Fuzz;

/// <summary>
/// Generates bad requests for every route from one seed: a fixed corpus of known-nasty inputs, mixed with
/// generated ones. Each request is bad by construction (a body that cannot parse, a token that cannot match,
/// a method no route takes…): none may start a job or write anything. A well-formed edge value (see
/// <see cref="EdgeValueGenerator"/>) goes to a write route only beside something else that is refused later
/// (a script that does not exist, a reserved label), so that its parsing is exercised but nothing is written.
/// </summary>
internal sealed class BadRequestCorpus(int seed, Guid existingJob, string existingHash)
{
    private const string Api = ReliabilityApp.Api;
    private const string Gate = ScriptGate.Path;
    private const int MaxBodyBytes = 2 * 1024 * 1024;

    private static readonly string[] ClassicInvalidJson =
    [
        "{", "}", "[", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{a:1}", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":tru}", "{\"a\":nul}",
        "NaN", "undefined", "{\"a\":1}}", "{\"a\":1} x", "// c\n{}", "/* c */{}", "{\"a\":\"unterminated}", "\"unterminated", "{\"a\":\"\\x41\"}",
        "{\"a\":\"\\u12\"}", "{\"a\":Infinity}", "{\"a\":-}", "{\"a\":1e}", "{,}", "{\"a\"::1}", "{\"a\":[1 2]}", ":", ",", "{\"\":}", "\u00ef\u00bb\u00bf",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE2, 0x82],
        [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3, 0x28], [0xA0, 0xA1],
    ];

    private static readonly string[] UnsupportedContentTypes =
    [
        "application/octet-stream", "image/png", "multipart/form-data; boundary=----x", "text/html", "text/csv", "application/javascript",
        "application/json-patch+json", "application/jsonx", "APPLICATION/JSONP", "json", "application", "/", ";", "application/json/extra",
        "text/plain/", "*/*", "application/*", "text/plain, application/json", "application/x-www-form-urlencodedx", "text/xml2", "audio/ogg",
        "application/vnd.api+json", "x/y", "application/json\u00e9",
    ];

    private static readonly string[] NotInstantJson = ["1767225600", "true", "[]", "{}", "-1e400", "0x10", "\"2027-01-01T00:00:00Z\"\""];

    private static readonly string[] WrongMethodsForPost = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "PROPFIND"];
    private static readonly string[] WrongMethodsForGet = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO", "MKCOL"];
    private static readonly string[] WrongMethodsForGetAndPost = ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"];

    private static readonly string[] PathPieces =
    [
        "..", ".", "%2e", "%2E%2E", "%2e%2e", ".%2e", "%00", "%ff", "%c0%ae", "é", "%20", "~", "*", "$", "bot", "u", "f", "", "%2F", "\\", ";x",
        "a%00b", "hello world", "CON", "x:y", "%25", "%", "%zz", "..;", "...",
    ];

    private const string MissingScript = "u/bot/no_such_script";

    private readonly Random _random = new(seed);
    private readonly EdgeValueGenerator _edges = new(new Random(seed + 1));

    /// <summary>The whole corpus, in a fixed order for the seed.</summary>
    public IEnumerable<FuzzRequest> Generate() =>
    [
        .. InvalidJsonBodies(400), .. InvalidUtf8Bodies(250), .. DeepNesting(150), .. HugeBodies(14), .. WrongContentTypes(300),
        .. WrongMethods(400), .. MalformedHashes(300), .. MalformedPaths(450), .. MalformedJobIds(400), .. BadPayloads(300),
        .. HeaderFloods(120), .. OddTokens(600), .. TokenAndAuditRoutes(240), .. IssueNineCases(), .. InvalidUnicode(360),
        .. OutOfRangeNumbers(480), .. MalformedDates(360),
    ];

    /// <summary>Run routes that start a job when given a good body and the admin token.</summary>
    private string[] RunTargets =>
    [
        $"{Api}/jobs/run/p/u/bot/hello_world", $"{Api}/jobs/run/p/u/bot/echo", $"{Api}/jobs/run/h/{existingHash}",
        $"{Api}/jobs/run_wait_result/p/u/bot/echo", $"{Api}/jobs/run_wait_result/h/{existingHash}", $"{Api}/jobs/run/p/{Gate}",
    ];

    private string UnknownJobCancel() => $"{Api}/jobs_u/queue/cancel/{RandomGuid()}";

    private IEnumerable<FuzzRequest> InvalidJsonBodies(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var valid = RandomJsonObject(depth: 0);
            var text = (i % 3) switch
            {
                0 => valid[..(1 + _random.Next(valid.Length - 1))], // an object that never closes
                1 => valid.Insert(1 + _random.Next(valid.Length - 1), ((char)Pick([1, 2, 3, 7, 8, 11, 12, 14, 27, 31])).ToString()),
                _ => Pick(ClassicInvalidJson),
            };
            var target = i % 8 == 0 ? UnknownJobCancel() : Pick(RunTargets);
            yield return new FuzzRequest("invalid json", "POST", target)
            {
                Body = Encoding.UTF8.GetBytes(text),
                ContentType = i % 5 == 0 && text.Length > 0 && !target.Contains("cancel", StringComparison.Ordinal) ? null : "application/json",
            };
        }
    }

    private IEnumerable<FuzzRequest> InvalidUtf8Bodies(int count)
    {
        string[] contentTypes = ["application/json", "text/plain", "application/xml", "text/xml", "application/x-www-form-urlencoded", "application/json; charset=utf-8"];
        for (var i = 0; i < count; i++)
        {
            var contentType = Pick(contentTypes);
            var invalid = Pick(InvalidUtf8);
            var left = Encoding.UTF8.GetBytes(contentType.Contains("form", StringComparison.Ordinal) ? "name=" : "{\"name\":\"" + RandomText(0, 20));
            var right = Encoding.UTF8.GetBytes(contentType.Contains("form", StringComparison.Ordinal) ? "&b=2" : RandomText(0, 20) + "\"}");
            var atEnd = i % 4 == 0;
            yield return new FuzzRequest("invalid utf-8", "POST", Pick(RunTargets))
            {
                Body = atEnd ? [.. left, .. right, .. invalid] : [.. left, .. invalid, .. right],
                ContentType = contentType,
            };
        }
    }

    private IEnumerable<FuzzRequest> DeepNesting(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var depth = 65 + _random.Next(i < count / 2 ? 100 : 5000);
            var text = (i % 3) switch
            {
                0 => new string('[', depth) + new string(']', depth),
                1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
                _ => "{\"a\":" + string.Concat(Enumerable.Repeat("[{\"b\":", depth / 2)) + "0" + string.Concat(Enumerable.Repeat("}]", depth / 2)) + "}",
            };
            yield return new FuzzRequest("deep nesting", "POST", i % 6 == 0 ? UnknownJobCancel() : Pick(RunTargets))
            {
                Body = Encoding.UTF8.GetBytes(text),
                ContentType = "application/json",
            };
        }
    }

    private IEnumerable<FuzzRequest> HugeBodies(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var size = MaxBodyBytes + 1 + _random.Next(1024 * 1024);
            var form = i % 5 == 4;
            var text = form
                ? "name=" + new string('x', size)
                : "{\"blob\":\"" + new string('x', size) + "\"}";
            yield return new FuzzRequest("huge body", "POST", Pick(RunTargets))
            {
                Body = Encoding.UTF8.GetBytes(text),
                ContentType = form ? "application/x-www-form-urlencoded" : "application/json",
                Chunked = i % 2 == 1,
            };
        }
    }

    private IEnumerable<FuzzRequest> WrongContentTypes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var contentType = i % 4 == 3
                ? $"x-{RandomWord()}/{RandomWord()}"
                : Pick(UnsupportedContentTypes);
            yield return new FuzzRequest("unsupported content type", "POST", Pick(RunTargets))
            {
                Body = Encoding.UTF8.GetBytes("{\"name\":\"content type\"}"),
                ContentType = contentType,
            };
        }
    }

    private IEnumerable<FuzzRequest> WrongMethods(int count)
    {
        (string Target, string[] Wrong)[] routes =
        [
            ($"{Api}/jobs/run/p/u/bot/hello_world", WrongMethodsForPost),
            ($"{Api}/jobs/run/h/{existingHash}", WrongMethodsForPost),
            ($"{Api}/jobs/run_wait_result/p/u/bot/echo", WrongMethodsForGetAndPost),
            ($"{Api}/jobs/run_wait_result/h/{existingHash}", WrongMethodsForGetAndPost),
            ($"{Api}/jobs_u/get/{existingJob}", WrongMethodsForGet),
            ($"{Api}/jobs_u/completed/get_result/{existingJob}", WrongMethodsForGet),
            ($"{Api}/jobs_u/completed/get_result_maybe/{existingJob}", WrongMethodsForGet),
            ($"{Api}/jobs_u/queue/cancel/{existingJob}", WrongMethodsForPost),
            ($"{Api}/scripts/get/p/u/bot/echo", WrongMethodsForGet),
            ($"{Api}/scripts/get/h/{existingHash}", WrongMethodsForGet),
            ("/api/users/tokens/create", WrongMethodsForPost),
            ("/api/users/tokens/list", WrongMethodsForGet),
            ($"{Api}/audit/list", WrongMethodsForGet),
            ($"{Api}/audit/get/1", WrongMethodsForGet),
        ];
        for (var i = 0; i < count; i++)
        {
            var (target, wrong) = routes[i % routes.Length];
            yield return new FuzzRequest("wrong method", Pick(wrong), target)
            {
                Body = i % 2 == 0 ? Encoding.UTF8.GetBytes("{}") : null,
                ContentType = i % 2 == 0 ? "application/json" : null,
            };
        }
    }

    private IEnumerable<FuzzRequest> MalformedHashes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var hash = (i % 8) switch
            {
                0 => RandomHex(1 + _random.Next(15)),
                1 => RandomHex(17 + _random.Next(40)),
                2 => RandomHex(15) + Pick(["g", "z", "%C3%A9", "-", "+", "%20", "%00", "_", "."]),
                3 => "0x" + RandomHex(14),
                4 => Pick(["..", "%2e%2e", ".", "%00" + RandomHex(15), "-000000000000001", "%2F" + RandomHex(15), "null", "undefined", "%ff%fe"]),
                5 => RandomHex(16), // well-formed, but no such version
                6 => new string('f', 1000 + _random.Next(60_000)),
                _ => Uri.EscapeDataString(RandomText(1, 30)),
            };
            yield return HashRequest(i, hash);
        }
    }

    private static FuzzRequest HashRequest(int i, string hash) => (i % 4) switch
    {
        0 => new FuzzRequest("malformed hash", "POST", $"{Api}/jobs/run/h/{hash}") { Body = "{}"u8.ToArray(), ContentType = "application/json" },
        1 => new FuzzRequest("malformed hash", "POST", $"{Api}/jobs/run_wait_result/h/{hash}") { Body = "{}"u8.ToArray(), ContentType = "application/json" },
        2 => new FuzzRequest("malformed hash", "GET", $"{Api}/jobs/run_wait_result/h/{hash}"),
        _ => new FuzzRequest("malformed hash", "GET", $"{Api}/scripts/get/h/{hash}"),
    };

    private IEnumerable<FuzzRequest> MalformedPaths(int count)
    {
        string[] nasty =
        [
            "u/bot/../../etc/passwd", "u/bot/%2e%2e/hello_world", "u/bot/..%2fhello_world", "%2e%2e/%2e%2e/u/bot/hello_world", "u/bot/./hello_world",
            "u/./bot/hello_world", "u/bot/hello_world/..", "u/bot/x/../hello_world", "u/bot/x/%2e%2e/echo", "u/bot/hello%00world", "u/bot/%00",
            "u/%00/x", "x/bot/a", "u/bot", "u", "u//hello_world", "u/bot/", "/u/bot/hello_world", "u/bot/hello world", "u/bot/h%C3%A9llo",
            "u/bot/hello_world%20", "u/bot/hello;world", "u/bot/%ff", "u/bot/hello_world\\", "u/bot/hello%2Fworld", "U/bot/hello_world",
            "u/bot/hello_world%00", "f/", "f//", "u/bot/%c0%ae%c0%ae/echo", "u/bot/echo%2500", "u/bot/....//echo", "u/bot/.%2e/echo",
        ];
        for (var i = 0; i < count; i++)
        {
            var path = (i % 5) switch
            {
                0 or 1 => Pick(nasty),
                2 => "u/bot/" + new string('a', 250 + _random.Next(100_000)),
                _ => string.Join('/', Enumerable.Range(0, 1 + _random.Next(8)).Select(_ => Pick(PathPieces))),
            };
            if (i % 9 == 0)
            {
                var workspace = Pick(["..", "%00", "%2e", "other", "%C3%A9", new string('w', 300 + _random.Next(5000)), "demo%00", "de%2Fmo"]);
                yield return new FuzzRequest("malformed workspace", "POST", $"/api/w/{workspace}/jobs/run/p/u/bot/hello_world")
                {
                    Body = "{}"u8.ToArray(),
                    ContentType = "application/json",
                };
                continue;
            }

            yield return (i % 4) switch
            {
                0 => new FuzzRequest("malformed path", "POST", $"{Api}/jobs/run/p/{path}") { Body = "{}"u8.ToArray(), ContentType = "application/json" },
                1 => new FuzzRequest("malformed path", "POST", $"{Api}/jobs/run_wait_result/p/{path}") { Body = "{}"u8.ToArray(), ContentType = "application/json" },
                2 => new FuzzRequest("malformed path", "GET", $"{Api}/jobs/run_wait_result/p/{path}"),
                _ => new FuzzRequest("malformed path", "GET", $"{Api}/scripts/get/p/{path}"),
            };
        }
    }

    private IEnumerable<FuzzRequest> MalformedJobIds(int count)
    {
        string[] routes = ["jobs_u/get/", "jobs_u/completed/get_result/", "jobs_u/completed/get_result_maybe/", "jobs_u/queue/cancel/"];
        for (var i = 0; i < count; i++)
        {
            var route = routes[i % routes.Length];
            var uuid = RandomGuid().ToString();
            var id = (i / routes.Length % 10) switch
            {
                0 => uuid[..^1],
                1 => uuid + "x",
                2 => uuid.Replace('a', 'g').Replace('b', 'g').Replace('4', 'g').Replace('7', 'g'),
                3 => Pick(["x", "..", "%2e%2e", "%00", "null", "-1", "0", "%20", "%ff", "' OR 1=1 --", "%C3%A9", "{}", "()"]),
                4 => uuid.Replace("-", "--", StringComparison.Ordinal),
                5 => new string('0', 37 + _random.Next(20_000)),
                6 => Uri.EscapeDataString(RandomText(1, 40)),
                7 => uuid[..8] + "%00" + uuid[8..],
                8 when !route.Contains("maybe", StringComparison.Ordinal) => uuid, // well-formed, but no such job
                _ => RandomHex(1 + _random.Next(31)),
            };
            if (Guid.TryParse(Uri.UnescapeDataString(id), out _) && route.Contains("maybe", StringComparison.Ordinal))
            {
                id += "z"; // get_result_maybe answers 200 for any well-formed id, as Windmill does
            }

            yield return new FuzzRequest("malformed job id", route.Contains("cancel", StringComparison.Ordinal) ? "POST" : "GET", $"{Api}/{route}{id}");
        }
    }

    private IEnumerable<FuzzRequest> BadPayloads(int count)
    {
        string[] notBase64 = ["!!!!", "a b c", "@@@@", "é", "%00", "====", "a===", "ab=c", "*", "e30=e30=", ":::", "\\", "%ff"];
        string[] notObjects = ["[1]", "1", "\"s\"", "null", "true", "[]", "[{}]"];
        for (var i = 0; i < count; i++)
        {
            var payload = (i % 7) switch
            {
                0 => Uri.EscapeDataString(Pick(notBase64)),
                1 => Base64(Encoding.UTF8.GetBytes(Pick(ClassicInvalidJson)), urlSafe: i % 2 == 0),
                2 => Base64(Encoding.UTF8.GetBytes(Pick(notObjects)), urlSafe: false),
                3 => Base64([.. "{\"name\":\""u8, .. Pick(InvalidUtf8), .. "\"}"u8], urlSafe: i % 2 == 0),
                4 => Base64(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 65 + _random.Next(500))) + "1" + new string('}', 65)), urlSafe: false),
                5 => Base64(Encoding.UTF8.GetBytes(new string('[', 100_000 + _random.Next(100_000))), urlSafe: false),
                _ => Base64(Encoding.UTF8.GetBytes(RandomJsonObject(0)[..^1]), urlSafe: true) + "&payload=" + Uri.EscapeDataString("e30="),
            };
            var target = i % 2 == 0 ? $"{Api}/jobs/run_wait_result/p/u/bot/hello_world" : $"{Api}/jobs/run_wait_result/h/{existingHash}";
            yield return new FuzzRequest("bad base64 payload", "GET", $"{target}?payload={payload}");
        }
    }

    private IEnumerable<FuzzRequest> HeaderFloods(int count)
    {
        var targets = AllRoutesWithGoodInput();
        for (var i = 0; i < count; i++)
        {
            var (method, target, body) = Pick(targets);
            var request = new FuzzRequest("header flood", method, target)
            {
                Body = body,
                ContentType = body is null ? null : "application/json",
                Authorization = [],
            };
            yield return (i % 4) switch
            {
                0 => request with
                {
                    Headers = [.. Enumerable.Range(0, 100 + _random.Next(900)).Select(n => KeyValuePair.Create($"X-Flood-{n}", RandomText(20, 200)))],
                },
                1 => request with { Headers = [KeyValuePair.Create("X-Huge", new string('h', 16 * 1024 + _random.Next(240 * 1024)))] },
                2 => request with { Authorization = [.. Enumerable.Range(0, 50 + _random.Next(450)).Select(n => $"Bearer junk{n}")] },
                _ => request with
                {
                    Headers = [KeyValuePair.Create("Cookie", string.Join("; ", Enumerable.Range(0, 200 + _random.Next(1800)).Select(n => $"c{n}={RandomWord()}")) + "; token=junk")],
                },
            };
        }
    }

    private IEnumerable<FuzzRequest> OddTokens(int count)
    {
        var targets = AllRoutesWithGoodInput();
        for (var i = 0; i < count; i++)
        {
            var (method, target, body) = Pick(targets);
            var request = new FuzzRequest("odd token", method, target) { Body = body, ContentType = body is null ? null : "application/json" };
            var odd = OddToken();
            yield return (i % 4) switch
            {
                0 or 1 => request with { Authorization = [Pick(["Bearer ", "bearer ", "BEARER ", "Basic ", "Token ", "", "Bearer  x"]) + odd] },
                2 => request with
                {
                    Target = target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "token=" + Uri.EscapeDataString(odd),
                    Authorization = [],
                },
                _ => request with { Authorization = [], Headers = [KeyValuePair.Create("Cookie", "token=" + Uri.EscapeDataString(odd))] },
            };
        }
    }

    private IEnumerable<FuzzRequest> TokenAndAuditRoutes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var odd = new[] { "Bearer " + OddToken() };
            yield return (i % 8) switch
            {
                0 => new FuzzRequest("token route", "POST", "/api/users/tokens/create") { Body = "{\"label\":\"x\"}"u8.ToArray(), ContentType = "application/json", Authorization = odd },
                1 => new FuzzRequest("token route", "POST", "/api/users/tokens/create") { Body = Encoding.UTF8.GetBytes(Pick(ClassicInvalidJson)), ContentType = "application/json" },
                2 => new FuzzRequest("token route", "GET", "/api/users/tokens/list") { Authorization = odd },
                3 => new FuzzRequest("token route", "DELETE", $"/api/users/tokens/delete/{Pick(["..", "%00", RandomHex(10), new string('p', 5000), "%2e%2e"])}") { Authorization = odd },
                4 => new FuzzRequest("token route", "DELETE", $"/api/users/tokens/delete/{Pick(["%00", "..", new string('p', 5000), "%2e%2e", "%ff"])}"),
                5 => new FuzzRequest("audit route", "GET", $"{Api}/audit/list") { Authorization = odd },
                6 => new FuzzRequest("audit route", "GET", $"{Api}/audit/get/1") { Authorization = odd },
                _ => new FuzzRequest("audit route", "GET", $"{Api}/audit/get/{Pick(["abc", "-1", "99999999999999999999", "%00", "1.5", "..", "0x10", "%20"])}"),
            };
        }
    }

    /// <summary>The inputs that answered 500 in issue 9 (hole 8), exactly as reported.</summary>
    private IEnumerable<FuzzRequest> IssueNineCases()
    {
        foreach (var target in RunTargets)
        {
            yield return new FuzzRequest("issue 9", "POST", target) { Body = """{"a":"\ud800"}"""u8.ToArray(), ContentType = "application/json" };
        }

        yield return new FuzzRequest("issue 9", "GET", $"{Api}/jobs/run_wait_result/p/u/bot/echo?payload={Base64("""{"a":"\ud800"}"""u8.ToArray(), urlSafe: false)}");
        yield return new FuzzRequest("issue 9", "POST", $"{Api}/jobs/run/p/u/bot/echo?scheduled_in_secs=-99999999999")
        {
            Body = "{}"u8.ToArray(),
            ContentType = "application/json",
        };
        foreach (var expiration in new[] { "garbage", "", "2026-13-45T00:00:00Z", "+275760-09-13T00:00:00Z" })
        {
            yield return TokenCreate("issue 9", $$"""{"label":"fuzz","expiration":"{{expiration}}"}""");
        }
    }

    /// <summary>Lone surrogates as JSON escapes, bytes that are not UTF-8 and overlong forms, in every body and query that reads text.</summary>
    private IEnumerable<FuzzRequest> InvalidUnicode(int count)
    {
        string[] readRoutesWithText =
        [
            "/api/users/tokens/list?username=", $"{Api}/jobs/list?created_by=", $"{Api}/jobs/completed/list?script_path_start=",
            $"{Api}/jobs/queue/list?script_path_exact=", $"{Api}/audit/list?username=", $"{Api}/audit/list?operation=", $"{Api}/audit/list?resource=",
            $"{Api}/scripts/list_tokens/u/bot/", $"{Api}/scripts/get/p/u/bot/",
        ];
        string[] runQueryText = ["tag", "include_header", "include_query"];
        for (var i = 0; i < count; i++)
        {
            var lone = _edges.LoneSurrogateEscapes();
            yield return (i % 12) switch
            {
                0 => Json("lone surrogate in a value", Pick(RunTargets), $$"""{"name":"{{lone}}"}"""),
                1 => Json("lone surrogate in a name", Pick(RunTargets), $$"""{"{{lone}}":1}"""),
                2 => Json("lone surrogate nested", Pick(RunTargets), $$"""{"a":[1,{"b":["{{lone}}"]}]}""") with
                {
                    ContentType = Pick(["application/json", "application/cloudevents+json", "application/json; charset=utf-8"]),
                },
                3 => Json("lone surrogate in a body", Pick(RunTargets), $$"""["{{lone}}"]"""),
                4 => new FuzzRequest("lone surrogate in a payload", "GET",
                    $"{Api}/jobs/run_wait_result/p/u/bot/echo?payload={Base64(Encoding.UTF8.GetBytes($$$"""{"a":{"{{{lone}}}":"{{{lone}}}"}}"""), urlSafe: i % 2 == 0)}"),
                5 => TokenCreate("lone surrogate in a token", Pick([
                    $$"""{"label":"{{lone}}"}""", $$"""{"scopes":["jobs:run:scripts:u/bot/{{lone}}"]}""", $$"""{"workspace_id":"{{lone}}"}""",
                    $$"""{"label":"fuzz","expiration":"2027-01-01T00:00:00{{lone}}Z"}""", $$"""{"{{lone}}":true}"""])),
                6 => Json("lone surrogate in a token update", Pick(["/api/users/tokens/update_label/0000000000", "/api/users/tokens/update_scopes/0000000000"]),
                    Pick([$$"""{"label":"{{lone}}"}""", $$"""{"scopes":["{{lone}}"]}"""])),
                7 => Json("lone surrogate in a cancel reason", UnknownJobCancel(), $$"""{"reason":"{{lone}}"}"""),
                8 => new FuzzRequest("invalid utf-8 in a body", "POST", Pick([.. RunTargets, "/api/users/tokens/create", UnknownJobCancel()]))
                {
                    Body = [.. "{\"label\":\"a"u8, .. _edges.InvalidUtf8(), .. "b\"}"u8],
                    ContentType = Pick(["application/json", "application/cloudevents+json", "text/plain", "application/x-www-form-urlencoded"]),
                },
                9 => new FuzzRequest("invalid utf-8 in a payload", "GET",
                    $"{Api}/jobs/run_wait_result/h/{existingHash}?payload={Base64([.. "{\"a\":\""u8, .. _edges.InvalidUtf8(), .. "\"}"u8], urlSafe: false)}"),
                10 => new FuzzRequest("escaped invalid utf-8 in a read query", "GET", Pick(readRoutesWithText) + PercentEscaped(_edges.InvalidUtf8()))
                {
                    MayBeAccepted = true,
                },
                _ => Json("escaped invalid utf-8 in a run query", $"{Api}/jobs/run/p/{MissingScript}?{Pick(runQueryText)}={PercentEscaped(_edges.InvalidUtf8())}", "{}"),
            };
        }
    }

    /// <summary>Every numeric query field, and the audit id, given text its integer type cannot hold, or its extremes.</summary>
    private IEnumerable<FuzzRequest> OutOfRangeNumbers(int count)
    {
        (string Name, long Min, long Max)[] runFields =
        [
            ("scheduled_in_secs", long.MinValue, long.MaxValue), ("queue_limit", long.MinValue, long.MaxValue), ("poll_delay_ms", long.MinValue, long.MaxValue),
            ("cache_ttl", int.MinValue, int.MaxValue), ("timeout", int.MinValue, int.MaxValue),
        ];
        (string Route, string Name, long Min, long Max)[] readFields =
        [
            ($"{Api}/jobs/list", "page", long.MinValue, long.MaxValue), ($"{Api}/jobs/list", "per_page", long.MinValue, long.MaxValue),
            ($"{Api}/jobs/completed/list", "page", long.MinValue, long.MaxValue), ($"{Api}/jobs/queue/list", "per_page", long.MinValue, long.MaxValue),
            ($"{Api}/jobs_u/getupdate/{existingJob}", "log_offset", int.MinValue, int.MaxValue),
            ($"{Api}/jobs_u/getupdate/{existingJob}", "stream_offset", int.MinValue, int.MaxValue),
            ("/api/users/tokens/list", "page", int.MinValue, int.MaxValue), ("/api/users/tokens/list", "per_page", int.MinValue, int.MaxValue),
            ($"{Api}/audit/list", "page", int.MinValue, int.MaxValue), ($"{Api}/audit/list", "per_page", int.MinValue, int.MaxValue),
            ($"{Api}/audit/list", "before_id", long.MinValue, long.MaxValue),
        ];
        for (var i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                var (name, min, max) = Pick(runFields);
                var value = _edges.Integer(min, max);
                yield return RunWithQuery("out-of-range number", $"{name}={Uri.EscapeDataString(value.Text)}", value.WellTyped, i);
                continue;
            }

            if (i % 10 == 9)
            {
                var id = _edges.Integer(int.MinValue, int.MaxValue).Text;
                yield return new FuzzRequest("out-of-range number", "GET", $"{Api}/audit/get/{Uri.EscapeDataString(id)}") { MayBeAccepted = true };
                continue;
            }

            var (route, field, low, high) = Pick(readFields);
            yield return ReadWithQuery("out-of-range number", (route, field), _edges.Integer(low, high).Text);
        }
    }

    /// <summary>Every date field (run, job list and audit queries, and a token's JSON expiration) given a malformed, impossible or edge instant.</summary>
    private IEnumerable<FuzzRequest> MalformedDates(int count)
    {
        (string Route, string Name)[] readFields =
        [
            ($"{Api}/jobs/list", "created_before"), ($"{Api}/jobs/completed/list", "created_after"), ($"{Api}/jobs/queue/list", "created_before"),
            ($"{Api}/audit/list", "before"), ($"{Api}/audit/list", "after"),
        ];
        for (var i = 0; i < count; i++)
        {
            var instant = _edges.Instant();
            yield return (i % 3) switch
            {
                0 => RunWithQuery("malformed date", $"scheduled_for={Uri.EscapeDataString(instant.Text)}", instant.WellTyped, i),
                1 => ReadWithQuery("malformed date", Pick(readFields), instant.Text),
                // A well-formed expiration goes with a reserved label, refused after the body is read.
                _ => TokenCreate("malformed date", instant.WellTyped
                    ? $$"""{"label":"session","expiration":"{{instant.Text}}"}"""
                    : $$"""{"label":"fuzz","expiration":{{(i % 9 == 2 ? Pick(NotInstantJson) : $"\"{instant.Text}\"")}}}"""),
            };
        }
    }

    // A malformed value must be refused on a real script; a well-formed edge value goes to a script that does not exist.
    private FuzzRequest RunWithQuery(string kind, string query, bool wellTyped, int i)
    {
        var path = wellTyped ? MissingScript : Pick(["u/bot/echo", "u/bot/hello_world"]);
        return (i % 3) switch
        {
            0 => Json(kind, $"{Api}/jobs/run/p/{path}?{query}", "{}"),
            1 => Json(kind, $"{Api}/jobs/run_wait_result/p/{path}?{query}", "{}"),
            _ => new FuzzRequest(kind, "GET", $"{Api}/jobs/run_wait_result/p/{path}?{query}&payload=e30%3D"),
        };
    }

    private static FuzzRequest ReadWithQuery(string kind, (string Route, string Name) field, string value) =>
        new(kind, "GET", $"{field.Route}?{field.Name}={Uri.EscapeDataString(value)}") { MayBeAccepted = true };

    private static FuzzRequest Json(string kind, string target, string json) =>
        new(kind, "POST", target) { Body = Encoding.UTF8.GetBytes(json), ContentType = "application/json" };

    private static FuzzRequest TokenCreate(string kind, string json) => Json(kind, "/api/users/tokens/create", json);

    private static string PercentEscaped(byte[] bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));

    /// <summary>Every route with input it would accept from the admin, so only the token can make it bad.</summary>
    private (string Method, string Target, byte[]? Body)[] AllRoutesWithGoodInput() =>
    [
        ("POST", $"{Api}/jobs/run/p/u/bot/hello_world", "{\"name\":\"x\"}"u8.ToArray()),
        ("POST", $"{Api}/jobs/run/h/{existingHash}", "{}"u8.ToArray()),
        ("POST", $"{Api}/jobs/run_wait_result/p/u/bot/echo", "{\"a\":1}"u8.ToArray()),
        ("GET", $"{Api}/jobs/run_wait_result/p/u/bot/hello_world?payload=e30%3D", null),
        ("POST", $"{Api}/jobs/run_wait_result/h/{existingHash}", "{}"u8.ToArray()),
        ("GET", $"{Api}/jobs/run_wait_result/h/{existingHash}", null),
        ("GET", $"{Api}/jobs_u/get/{existingJob}", null),
        ("GET", $"{Api}/jobs_u/completed/get_result/{existingJob}", null),
        ("GET", $"{Api}/jobs_u/completed/get_result_maybe/{existingJob}", null),
        ("POST", $"{Api}/jobs_u/queue/cancel/{existingJob}", null),
        ("GET", $"{Api}/scripts/get/p/u/bot/echo", null),
        ("GET", $"{Api}/scripts/get/h/{existingHash}", null),
        ("GET", "/api/users/tokens/list", null),
        ("POST", "/api/users/tokens/create", "{\"label\":\"x\"}"u8.ToArray()),
        ("GET", $"{Api}/audit/list", null),
    ];

    // Never the admin token, nor anything that trims or unescapes to it.
    private string OddToken()
    {
        var admin = ReliabilityApp.AdminToken;
        return _random.Next(12) switch
        {
            0 => "",
            1 => admin[..(1 + _random.Next(admin.Length - 1))],
            2 => admin + Pick(["x", "0", "é", "%00"]),
            3 => admin[..5] + (char)(admin[5] ^ 1) + admin[6..],
            4 => admin.ToUpperInvariant(),
            5 => new string(admin.Reverse().ToArray()),
            6 => admin + admin,
            7 => RandomText(1, 64),
            8 => new string('t', 1024 + _random.Next(100_000)),
            9 => admin[..5] + Pick(["\u0001", "\t", "\0", "\u007f", " "]) + admin[5..],
            10 => Pick(["ẞ€𝄞", "\u202Eadmin", "🔑🔑🔑", "null", "undefined", "Bearer", "%00"]),
            _ => RandomHex(32),
        };
    }

    private string RandomJsonObject(int depth)
    {
        var node = new JsonObject();
        for (var i = 0; i < 1 + _random.Next(4); i++)
        {
            node[$"k{i}"] = _random.Next(6) switch
            {
                0 => _random.Next(),
                1 => RandomText(0, 12),
                2 => _random.Next(2) == 0,
                3 => null,
                4 when depth < 2 => JsonNode.Parse(RandomJsonObject(depth + 1)),
                _ => new JsonArray(_random.NextDouble(), "é\"\\", false),
            };
        }

        return node.ToJsonString();
    }

    private string RandomText(int minLength, int maxLength)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.~!*'();:@&=+$,/?#[]éß€中";
        var length = minLength + _random.Next(maxLength - minLength + 1);
        return string.Create(length, _random, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[random.Next(alphabet.Length)];
            }
        });
    }

    private string RandomWord() => string.Concat(Enumerable.Range(0, 1 + _random.Next(10)).Select(_ => (char)('a' + _random.Next(26))));

    private Guid RandomGuid()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private string RandomHex(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => "0123456789abcdef"[_random.Next(16)]));

    private static string Base64(byte[] bytes, bool urlSafe)
    {
        var text = Convert.ToBase64String(bytes);
        return Uri.EscapeDataString(urlSafe ? text.Replace('+', '-').Replace('/', '_').TrimEnd('=') : text);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
