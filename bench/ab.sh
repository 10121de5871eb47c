#!/usr/bin/env bash
# bench/ab.sh <WindmillHost build dir> [seconds] [conns] [route]: one host's async webhook throughput and server CPU per
# request, for A/B runs of two builds (interleave them: the machine's noise is larger than most changes).
#   dotnet build bench/WindmillHost -c Release -o /tmp/hostB && bench/ab.sh /tmp/hostB 8
set -euo pipefail
lua=$(cd "$(dirname "$0")" && pwd)/post.lua
dir=$1; secs=${2:-10}; conns=${3:-32}; route=${4:-jobs/run/p/u/bot/noop}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
dotnet $dir/Windmill.Webhooks.Bench.WindmillHost.dll --Bench:Db=$work/b.db --urls http://127.0.0.1:$port --Bench:AdminToken=admintoken-0123456789abcdef > $work/out 2>&1 &
pid=$!
for i in $(seq 100); do grep -q bench-token $work/out 2>/dev/null && break; sleep 0.1; done
token=$(grep bench-token $work/out | awk '{print $2}')
echo '{"name":"bench","n":1}' > $work/body
export BENCH_TOKEN=$token BENCH_BODY_FILE=$work/body
# warmup
wrk -t2 -c$conns -d3s -s $lua http://127.0.0.1:$port/api/w/demo/$route >/dev/null
sleep 2
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
out=$(wrk -t2 -c$conns -d${secs}s -s $lua http://127.0.0.1:$port/api/w/demo/$route | grep wrk-json)
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep 1
reqs=$(echo "$out" | sed 's/.*"requests":\([0-9]*\).*/\1/')
rps=$(echo "$out" | sed 's/.*"rps":\([0-9.]*\).*/\1/')
p99=$(echo "$out" | sed 's/.*"p99":\([0-9.]*\).*/\1/')
p50=$(echo "$out" | sed 's/.*"p50":\([0-9.]*\).*/\1/')
non2xx=$(echo "$out" | sed 's/.*"non2xx":\([0-9]*\).*/\1/')
cpu_us=$(( (t1 - t0) * 10000 ))
echo "rps=$rps p50=$p50 p99=$p99 non2xx=$non2xx cpu_us_per_req=$(( cpu_us / reqs ))"
kill $pid; wait $pid 2>/dev/null || true
rm -rf $work
