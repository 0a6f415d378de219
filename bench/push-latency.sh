#!/usr/bin/env bash
# Push latency (change -> subscriber callback) with the real nacos-sdk-python 3.2.0 over gRPC,
# against the release build. Loopback only; bounded by the sample count.
#   bench/push-latency.sh [samples]
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-200}
PORT=${PORT:-18848}

swift build -c release --product vitals
venv=conformance/.venv-v3
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r conformance/requirements-v3.txt
work=$(mktemp -d)
.build/release/vitals serve --port "$PORT" --data-dir "$work/data" --log-level error --shutdown-grace 0s &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/vitals/ping" >/dev/null 2>&1 && break; sleep 0.1; done
"$venv/bin/python" conformance/push_latency.py "$PORT" "$SAMPLES"
