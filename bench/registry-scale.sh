#!/usr/bin/env bash
# Resident memory per registered instance (ephemeral and persistent) and the time until
# persistent instances are served again after a kill -9 and restart. Release build, loopback,
# bounded by the instance count.
#   bench/registry-scale.sh [instances]      (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PORT=${PORT:-18870}
swift build -c release --product vitals
bin=.build/release/vitals
work=$(mktemp -d)
# Cluster checks on persistent instances still run (TCP, refused on these addresses), but an hour apart.
printf 'registry:\n  clusterCheckInterval: 3600s\n' >"$work/vitals.yaml"
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
serve() {
    "$bin" serve --port "$PORT" --grpc-port 0 --data-dir "$work/$1" --config "$work/vitals.yaml" \
        --log-level error --shutdown-grace 0s &
    pid=$!
    for _ in $(seq 1 600); do
        curl -fsS "http://127.0.0.1:$PORT/ext/health/readiness" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "server did not start"; exit 1
}

for kind in ephemeral persistent; do
    serve "$kind"
    sleep 1
    before=$(rss_kib "$pid")
    python3 bench/registry_load.py "$PORT" "$N" "$kind"
    sleep 2
    after=$(rss_kib "$pid")
    echo "$kind: RSS $before KiB -> $after KiB = $(( (after - before) * 1024 / N )) B per instance at $N"
    if [ "$kind" = persistent ]; then
        kill -9 "$pid"; wait "$pid" 2>/dev/null || true
        start=$(date +%s.%N)
        serve persistent
        ready=$(date +%s.%N)
        count=$(curl -fsS "http://127.0.0.1:$PORT/nacos/v2/ns/operator/metrics?onlyStatus=false" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["instanceCount"])')
        echo "restart after kill -9: $(python3 -c "print(f'{$ready - $start:.2f}')") s until ready, serving $count instances"
    fi
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    pid=
done
