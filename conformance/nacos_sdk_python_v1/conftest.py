"""Starts the real Vitals binary on a free 127.0.0.1 port for the whole session."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    port = _free_port()
    data = tempfile.mkdtemp(prefix="vitals-conformance-")
    config = os.path.join(data, "vitals.yaml")
    with open(config, "w") as handle:
        handle.write("registry:\n  sweepInterval: 200ms\n")
    process = subprocess.Popen(
        [os.environ["VITALS_BIN"], "serve", "--port", str(port), "--grpc-port", "0", "--data-dir", data + "/data",
         "--config", config, "--shutdown-grace", "0s", "--log-level", "warning"],
    )
    base = f"127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://{base}/ext/health/readiness", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("vitals did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)
