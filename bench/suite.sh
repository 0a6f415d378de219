#!/usr/bin/env bash
# The benchmark suite: Vitals against nginx, etcd, HAProxy and blackbox_exporter on 127.0.0.1,
# every figure a ratio taken in the same run (see docs/benchmarks.md).
#
#   bench/suite.sh                 # full suite (~10 min on 2 cores + build); rewrites docs/benchmarks.md
#   bench/suite.sh --short         # seconds, small N, asserts nothing about speed (CI)
#   bench/suite.sh --only=api,checks   # some sections: api, checks, detect, scale
#   VITALS_BIN=path/to/vitals bench/suite.sh --short   # use a built binary, skip the build
#
# Exits non-zero when a step breaks (a peer does not start, a figure cannot be computed).
set -euo pipefail
cd "$(dirname "$0")/.."

short=false
for arg in "$@"; do [ "$arg" = --short ] && short=true; done

# The peers, from Debian.
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || missing+=(prometheus-blackbox-exporter)
command -v curl >/dev/null 2>&1 || missing+=(curl)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -z "${VITALS_BIN:-}" ]; then
    echo "== swift build -c release"
    swift build -c release --product vitals
    swift build -c release --product vitals-bench
    VITALS_BIN=$(swift build -c release --show-bin-path)/vitals
    VITALS_BENCH_BIN=${VITALS_BENCH_BIN:-$(swift build -c release --show-bin-path)/vitals-bench}
fi
export VITALS_BENCH_BIN=${VITALS_BENCH_BIN:-}

# As many open files as this machine allows (the active-check section needs thousands).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Kept after the run, so the table can be remade with bench/report.py RESULTS [--write].
results=${BENCH_RESULTS:-$(mktemp /tmp/vitals-bench-results.XXXXXX)}
echo "== results: $results"
status=0
python3 bench/suite.py "$VITALS_BIN" "$results" "$@" || status=$?
if $short; then
    python3 bench/report.py "$results" || status=1
else
    python3 bench/report.py "$results" --write || status=1
fi
if [ $status -ne 0 ]; then
    echo "bench/suite.sh: a step failed (see above)" >&2
fi
exit $status
