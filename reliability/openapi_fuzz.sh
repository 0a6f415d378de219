#!/usr/bin/env bash
# Schemathesis against the real binary with openapi.yaml: no 5xx, no crash, every refusal a 4xx.
# Creates reliability/.venv-schemathesis with the pinned schemathesis from PyPI, then runs
# openapi_fuzz.py (which starts the server on 127.0.0.1 with a temporary data directory).
#   reliability/openapi_fuzz.sh [path-to-vitals-binary] [max-examples per operation]
set -euo pipefail

binary=${1:-$(dirname "$0")/../.build/debug/vitals}
[ -d "$(dirname "$binary")" ] && binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
cd "$(dirname "$0")"
[ -x "$binary" ] || { echo "openapi fuzz: no vitals binary at $binary (run swift build first)"; exit 1; }

venv=.venv-schemathesis
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-schemathesis.txt
exec "$venv/bin/python" openapi_fuzz.py "$binary" "${2:-20}"
