-- wrk script of the bench: POSTs a JSON body with a bearer token and prints one JSON line at the end.
-- Set by the harness through the environment: BENCH_TOKEN, BENCH_BODY_FILE.
local file = io.open(os.getenv("BENCH_BODY_FILE"), "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'wrk-json {"requests":%d,"seconds":%.3f,"rps":%.1f,"non2xx":%d,"socketErrors":%d,"timeouts":%d,' ..
    '"latencyMs":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f,"mean":%.3f}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000))
end
