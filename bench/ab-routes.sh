#!/usr/bin/env bash
# A/B of two Vitals binaries on the hot HTTP routes, alternated so both see the same machine:
# each round starts A then B fresh, loads the same fixtures and runs wrk on every route.
#
#   bench/ab-routes.sh OLD_BIN NEW_BIN [ROUNDS]      # e.g. /tmp/vitals-before .build/release/vitals 2
#   DURATION=5s CONNECTIONS=64 bench/ab-routes.sh ...
# Prints req/s per route and binary, and each route's ratio to the same binary's trivial route.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1; B=$2; ROUNDS=${3:-2}
DURATION=${DURATION:-5s}; CONNECTIONS=${CONNECTIONS:-64}; PORT=${PORT:-18849}
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
printf 'wrk.method = "PUT"\n' >"$work/put.lua"
keep='metadata=%7B%22preserved.heart.beat.timeout%22%3A%223600000%22%2C%22preserved.ip.delete.timeout%22%3A%223600000%22%7D'
routes=(
    "ping|$base/vitals/ping|"
    "beat|$base/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40list10&ip=127.0.0.1&port=7001|$work/put.lua"
    "list10|$base/nacos/v1/ns/instance/list?serviceName=list10|"
    "list100|$base/nacos/v1/ns/instance/list?serviceName=list100|"
    "health|$base/nacos/v2/ns/health/instance?serviceName=list10&ip=127.0.0.1&port=7002&healthy=true|$work/put.lua"
)
declare -A total
for round in $(seq 1 "$ROUNDS"); do
    for side in A B; do
        bin=$A; [ $side = B ] && bin=$B
        rm -rf "$work/data"
        "$bin" serve --port "$PORT" --data-dir "$work/data" --log-level error --shutdown-grace 0s &
        pid=$!
        for _ in $(seq 1 100); do curl -fsS "$base/vitals/ping" >/dev/null 2>&1 && break; sleep 0.1; done
        for i in $(seq 1 100); do
            [ "$i" -le 10 ] && curl -fsS -X POST "$base/nacos/v1/ns/instance?serviceName=list10&ip=127.0.0.1&port=$((7000 + i))&$keep" >/dev/null
            curl -fsS -X POST "$base/nacos/v1/ns/instance?serviceName=list100&ip=127.0.0.1&port=$((7000 + i))&$keep" >/dev/null
        done
        for entry in "${routes[@]}"; do
            IFS='|' read -r name url script <<<"$entry"
            args=(-t2 "-c$CONNECTIONS" "-d$DURATION")
            [ -n "$script" ] && args+=(-s "$script")
            rps=$(wrk "${args[@]}" "$url" | awk '/Requests\/sec/ {print $2}')
            total[$side.$name]=$(python3 -c "print(${total[$side.$name]:-0} + $rps)")
            echo "round $round $side $name: $rps req/s"
        done
        kill $pid; wait $pid 2>/dev/null || true; pid=
    done
done
echo "== mean req/s over $ROUNDS rounds (ratio to the same binary's trivial route)"
for entry in "${routes[@]}"; do
    name=${entry%%|*}
    python3 - "$name" "${total[A.$name]}" "${total[B.$name]}" "${total[A.ping]}" "${total[B.ping]}" "$ROUNDS" <<'PY'
import sys
name, a, b, pa, pb, n = sys.argv[1], *map(float, sys.argv[2:6]), int(sys.argv[6])
print(f"{name:8} A {a/n:9.0f} ({a/pa:.2f}x)   B {b/n:9.0f} ({b/pb:.2f}x)   B/A {b/a:.2f}")
PY
done
