#!/usr/bin/env bash
# Conformance: drives real Nacos client libraries from PyPI against the real Vitals binary.
# Creates a venv per client generation (conformance/.venv-v1, .venv-v3), installs the pinned
# clients, runs pytest.
#   conformance/run.sh [path-to-vitals-binary]
set -euo pipefail
cd "$(dirname "$0")"

binary=${1:-../.build/debug/vitals}
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[ -x "$binary" ] || { echo "conformance: no vitals binary at $binary (run swift build first)"; exit 1; }

# Each client generation in its own venv: 0.1.17 (HTTP v1) and 3.2.0 (gRPC) cannot share one.
suite() {
    local version=$1
    local venv=.venv-$version
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "requirements-$version.txt"
    VITALS_BIN="$binary" "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning \
        "nacos_sdk_python_$version"
}
suite v1
suite v3
