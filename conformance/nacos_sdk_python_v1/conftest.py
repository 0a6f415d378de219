"""Starts the real Vitals binary on a free 127.0.0.1 port for the whole session."""
import os
import socket
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import vitals_server  # noqa: E402


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    port = _free_port()
    process, _ = vitals_server.start(port, ["--grpc-port", "0"], "registry:\n  sweepInterval: 200ms\n")
    yield f"127.0.0.1:{port}"
    vitals_server.stop(process)
