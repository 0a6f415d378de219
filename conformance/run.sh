#!/usr/bin/env bash
# Conformance: drives real Nacos client libraries from PyPI against the real Vitals binary.
# Creates its own venv (conformance/.venv-v1), installs the pinned clients, runs pytest.
#   conformance/run.sh [path-to-vitals-binary]
set -euo pipefail
cd "$(dirname "$0")"

binary=${1:-../.build/debug/vitals}
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[ -x "$binary" ] || { echo "conformance: no vitals binary at $binary (run swift build first)"; exit 1; }

venv=.venv-v1
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-v1.txt

VITALS_BIN="$binary" "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning nacos_sdk_python_v1
