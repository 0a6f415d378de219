#!/usr/bin/env bash
# Throughput of the registry's hot HTTP routes (beat, list, register, health update) against the
# release build, beside the same server's trivial route, in one run. Loopback only, bounded.
#
#   bench/registry-api.sh                 # 10 s per route, 2 wrk threads, 64 connections
#   DURATION=5s CONNECTIONS=32 bench/registry-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18848}
base="http://127.0.0.1:$PORT"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
swift build -c release --product vitals
work=$(mktemp -d)
.build/release/vitals serve --port "$PORT" --data-dir "$work/data" --log-level error --shutdown-grace 0s &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/vitals/ping" >/dev/null 2>&1 && break; sleep 0.1; done

# Fixtures: a service with 10 and one with 100 instances (long beat timeouts so they stay).
keep='metadata=%7B%22preserved.heart.beat.timeout%22%3A%223600000%22%2C%22preserved.ip.delete.timeout%22%3A%223600000%22%7D'
for i in $(seq 1 100); do
    [ "$i" -le 10 ] && curl -fsS -X POST "$base/nacos/v1/ns/instance?serviceName=list10&ip=127.0.0.1&port=$((7000 + i))&$keep" >/dev/null
    curl -fsS -X POST "$base/nacos/v1/ns/instance?serviceName=list100&ip=127.0.0.1&port=$((7000 + i))&$keep" >/dev/null
done

cat >"$work/put.lua" <<'LUA'
wrk.method = "PUT"
LUA
cat >"$work/register.lua" <<'LUA'
-- Distinct instances: each request registers a new ip:port.
local counter = 0
request = function()
    counter = counter + 1
    local port = 1024 + (counter % 60000)
    local ip = "127.1." .. (math.floor(counter / 60000) % 250) .. "." .. (math.random(0, 250))
    local body = "serviceName=register&ip=" .. ip .. "&port=" .. port
    return wrk.format("POST", "/nacos/v2/ns/instance", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
LUA

run() {
    local name=$1; shift
    local out
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
    local rps p99 non2xx
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p99" "${non2xx:-0}"
    echo "$rps" >"$work/rps-$(echo "$name" | tr -c 'a-z0-9' '_')"
}

echo
echo "| route | requests/s | p99 | non-2xx |"
echo "| --- | ---: | ---: | ---: |"
run "GET /vitals/ping (trivial route)" "$base/vitals/ping"
run "PUT /nacos/v1/ns/instance/beat" -s "$work/put.lua" "$base/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40list10&ip=127.0.0.1&port=7001"
run "GET /nacos/v1/ns/instance/list (10 instances)" "$base/nacos/v1/ns/instance/list?serviceName=list10"
run "GET /nacos/v1/ns/instance/list (100 instances)" "$base/nacos/v1/ns/instance/list?serviceName=list100"
run "PUT /nacos/v2/ns/health/instance" -s "$work/put.lua" "$base/nacos/v2/ns/health/instance?serviceName=list10&ip=127.0.0.1&port=7002&healthy=true"
run "POST /nacos/v2/ns/instance (distinct instances)" -s "$work/register.lua" "$base/"
run "GET /ext/health" "$base/ext/health"
echo
echo "cores: $(nproc); wrk and the server share them."
