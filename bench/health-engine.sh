#!/usr/bin/env bash
# Benchmarks the health-check engine and the HTTP probe in release mode and prints the tables
# that docs/benchmarks.md records. Everything runs on 127.0.0.1 with bounded durations.
#
#   bench/health-engine.sh            # engine at 100,000 checks + probe against nginx
#   CHECKS=20000 bench/health-engine.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKS=${CHECKS:-100000}
INTERVAL=${INTERVAL:-10}
WINDOW=${WINDOW:-10}
CONNECTIONS=${CONNECTIONS:-16}
SECONDS_PER_ROW=${SECONDS_PER_ROW:-5}
NGINX_PORT=${NGINX_PORT:-18081}

if ! command -v nginx >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nginx-light || apt-get install -y -qq nginx
fi

swift build -c release --product vitals-bench
bench=.build/release/vitals-bench

echo "== engine: scheduling overhead and memory"
"$bench" engine "$CHECKS" "$INTERVAL" "$WINDOW"

echo
echo "== HTTP probe against nginx (the reference is a raw SwiftNIO client in the same run)"
workdir=$(mktemp -d)
mkdir -p "$workdir/logs"
cat >"$workdir/nginx.conf" <<CONF
worker_processes 1;
pid $workdir/nginx.pid;
error_log $workdir/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT reuseport;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
CONF
nginx -c "$workdir/nginx.conf" -p "$workdir"
trap 'kill -QUIT $(cat "$workdir/nginx.pid") 2>/dev/null || true; rm -rf "$workdir"' EXIT
sleep 0.5
"$bench" probe "http://127.0.0.1:$NGINX_PORT/health" "$CONNECTIONS" "$SECONDS_PER_ROW"
