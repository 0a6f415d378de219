"""Starts the real Vitals binary with its gRPC port at HTTP port + 1000, as Nacos SDKs expect."""
import os
import socket
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import vitals_server  # noqa: E402


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
    process, data = vitals_server.start(port)
    yield {"http": port, "data": data}
    vitals_server.stop(process)
