"""Runs schemathesis (openapi.yaml) against the real Vitals binary on 127.0.0.1 and checks that
no request gets a 5xx, the server never crashes, and the answers match the document (status
codes, content types, response schemas; invalid input refused with a 4xx).
Prints: requests tried, answers by status class, 5xx (must be 0).

Usage (in the venv made by openapi_fuzz.sh): openapi_fuzz.py VITALS_BIN [MAX_EXAMPLES]
Environment: FUZZ_SEED (default 1) to vary the generated data."""
import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "conformance"))
import vitals_server  # noqa: E402

# Every check these hold to; the ones left out, and why, are in reliability/README.md.
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
])

binary = sys.argv[1]
max_examples = int(sys.argv[2]) if len(sys.argv) > 2 else 20
seed = os.environ.get("FUZZ_SEED", "1")
spec = os.path.join(here, "..", "openapi.yaml")

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
process, data = vitals_server.start(port, ["--grpc-port", "0"], binary=binary, quiet=True)
base = f"http://127.0.0.1:{port}"

work = tempfile.mkdtemp(prefix="vitals-openapi-fuzz-")
events = os.path.join(work, "events.ndjson")
log = os.path.join(work, "schemathesis.log")
command = [
    os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run", os.path.abspath(spec),
    "--url", base, "--max-examples", str(max_examples), "--seed", seed, "--workers", "1",
    "--checks", CHECKS, "--request-timeout", "10",
    "--report", "ndjson", "--report-ndjson-path", events,
]
env = dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS="")
with open(log, "w") as output:
    status = subprocess.run(command, cwd=work, stdout=output, stderr=subprocess.STDOUT, env=env).returncode


def alive():
    try:
        with urllib.request.urlopen(f"{base}/vitals/ping", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


crashed = process.poll() is not None or not alive()

requests = 0
classes = collections.Counter()
server_errors = []
no_answer = 0
with open(events) as handle:
    for line in handle:
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        for interaction in (finished["recorder"].get("interactions") or {}).values():
            requests += 1
            response = interaction.get("response")
            if response is None:
                no_answer += 1
                continue
            code = response["status_code"]
            classes[f"{code // 100}xx"] += 1
            if code >= 500:
                request = interaction["request"]
                server_errors.append(f"{code} {request['method']} {request['uri']}")

with open(log) as handle:
    text = handle.read()
if status != 0 or server_errors or crashed:
    print(text)
else:
    # The summary is enough when everything passed.
    print(text[text.find("=== SUMMARY ==="):] if "=== SUMMARY ===" in text else text[-3000:])
for line in server_errors[:20]:
    print("5xx:", line)
counts = ", ".join(f"{key} {classes[key]}" for key in sorted(classes))
print(f"openapi fuzz: {requests} requests ({counts}, no answer {no_answer}), 5xx: {len(server_errors)}, "
      f"max-examples {max_examples}, seed {seed}, server {'CRASHED' if crashed else 'alive'}")
if crashed:
    process.kill()
else:
    vitals_server.stop(process)
shutil.rmtree(data, ignore_errors=True)
failed = status != 0 or server_errors or crashed
if failed:
    print(f"openapi fuzz: the events and the schemathesis log are kept in {work}")
else:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
