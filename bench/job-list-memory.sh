#!/usr/bin/env bash
# Issue 9, hole 1: the memory a job list and a huge cancel reason cost the sample, as the attacker reproduced it.
# Starts the sample (a built Windmill.Webhooks.Sample.dll, default: this checkout's Release build), queues 200 echo
# jobs with 2 MiB bodies, then lists them with a token scoped to jobs:run:scripts:u/bot/echo and with the admin
# token (once, then three at once), and cancels a job with a 25 MB reason. Before each step the peak RSS (VmHWM) is
# reset, so each figure is that step's own peak. Prints one line per step. Not part of CI: it writes ~1 GB.
#
#   bench/job-list-memory.sh [path/to/Windmill.Webhooks.Sample.dll]
set -euo pipefail
cd "$(dirname "$0")/.."

dll=${1:-}
if [ -z "$dll" ]; then
  dotnet build samples/Windmill.Webhooks.Sample -c Release >&2
  dll=samples/Windmill.Webhooks.Sample/bin/Release/net10.0/Windmill.Webhooks.Sample.dll
fi

work=$(mktemp -d)
admin=memory-repro-admin-token-0123456789
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port/api
ConnectionStrings__Windmill="Data Source=$work/wm.db" Windmill__AdminToken=$admin Logging__LogLevel__Default=Warning \
  dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; tail -n 5 "$work/server.log" >&2; rm -rf "$work"' EXIT
until curl -sf -o /dev/null -I "$base/w/demo/jobs/run/p/u/bot/echo"; do sleep 0.2; done

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
status() { awk -v f="$1" '$1 == f":" { print $2 }' "/proc/$pid/status"; }
reset_peak() { echo 5 >"/proc/$pid/clear_refs"; }
db_mib() { du -cm "$work"/wm.db* | tail -1 | cut -f1; }
report() { echo "$1: peak RSS $(mib "$(status VmHWM)") MiB, RSS after $(mib "$(status VmRSS)") MiB${2:+, $2}"; }

hook=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"scopes":["jobs:run:scripts:u/bot/echo"],"workspace_id":"demo"}' "$base/users/tokens/create")

python3 -c 'import sys; sys.stdout.write("{\"blob\":\"" + "x" * (2 * 1024 * 1024 - 11) + "\"}")' >"$work/body.json"
report "started"
reset_peak
for _ in $(seq 200); do
  curl -sf -o /dev/null -H "Authorization: Bearer $hook" -H 'Content-Type: application/json' \
    --data-binary @"$work/body.json" "$base/w/demo/jobs/run/p/u/bot/echo"
done
until [ "$(curl -sf -H "Authorization: Bearer $admin" "$base/w/demo/jobs/queue/list")" = "[]" ]; do sleep 0.5; done
report "200 echo jobs of 2 MiB" "database $(db_mib) MiB"

list() { # token route -> "HTTP <status>, <n> bytes"
  curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes' -H "Authorization: Bearer $1" "$base/w/demo/$2" || echo -n " (curl exit $?)"
  echo
}
for route in jobs/list jobs/completed/list jobs/queue/list; do
  reset_peak
  answer=$(list "$hook" "$route?include_args=true&per_page=200")
  report "run-scoped token, $route?include_args=true&per_page=200" "$answer"
done
reset_peak
answer=$(list "$admin" "jobs/list?include_args=true&per_page=200")
report "admin token, jobs/list?include_args=true&per_page=200" "$answer"
reset_peak
lists=()
for n in 1 2 3; do
  list "$admin" "jobs/list?include_args=true&per_page=200" >"$work/concurrent.$n" &
  lists+=($!)
done
wait "${lists[@]}" || true
report "admin token, three such lists at once" "$(cat "$work"/concurrent.* | paste -sd ';')"

sleeper=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d '{"ms":600000}' "$base/w/demo/jobs/run/p/u/bot/sleep")
python3 -c 'import sys; sys.stdout.write("{\"reason\":\"" + "r" * (25 * 1000 * 1000) + "\"}")' >"$work/reason.json"
db_before=$(db_mib)
reset_peak
cancel=$(curl -s -o "$work/cancel.txt" -w '%{http_code}' -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  --data-binary @"$work/reason.json" "$base/w/demo/jobs_u/queue/cancel/$sleeper")
got=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $admin" "$base/w/demo/jobs_u/get/$sleeper")
report "cancel with a 25 MB reason" "HTTP $cancel $(head -c 80 "$work/cancel.txt"), database +$(($(db_mib) - db_before)) MiB, jobs_u/get $got bytes"
