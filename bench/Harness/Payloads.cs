using System.Text.Json;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>Webhook bodies: a small event like those a SaaS sends (about 300 bytes), or <c>n</c> times larger.</summary>
internal static class Payloads
{
    private static readonly string[] Lines = ["plan_pro", "seat_addon"];

    public static string Event(int scale)
    {
        var items = Enumerable.Range(0, scale).Select(i => new
        {
            id = $"evt_{i:D6}_3f9a2c71",
            type = "invoice.payment_succeeded",
            created = 1732700000 + i,
            data = new { customer = "cus_Q4x8T2b9Lm", amount = 4200 + i, currency = "eur", paid = true, lines = Lines },
        }).ToArray();
        return JsonSerializer.Serialize(new { source = "bench", attempt = 1, events = items });
    }
}
