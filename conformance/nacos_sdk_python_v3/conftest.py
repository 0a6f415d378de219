"""Starts the real Vitals binary with its gRPC port at HTTP port + 1000, as Nacos SDKs expect."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_pair():
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 1000 < 65536 and _free(port + 1000):
            return port
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="session")
def server():
    port = _free_pair()
    data = tempfile.mkdtemp(prefix="vitals-conformance-v3-")
    process = subprocess.Popen(
        [os.environ["VITALS_BIN"], "serve", "--port", str(port), "--data-dir", data + "/data",
         "--shutdown-grace", "0s", "--log-level", "warning"],
    )
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ext/health/readiness", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("vitals did not start")
    yield {"http": port, "data": data}
    process.terminate()
    process.wait(timeout=10)
