"""Slow and misbehaving clients against the real server (127.0.0.1 only), with `idleTimeout: 3s`
and `maxConnections: 64` so the limits show within seconds. Each case runs while a normal client
keeps asking /ext/health, which must keep answering. Cases:

- a request sent one byte at a time (10 ms apart): answered;
- slowloris: 40 connections sending an endless request head a byte per second: closed once the
  head has not completed within the idle timeout;
- a body sent a byte per second: closed by `requestReadTimeout` (5 s here), since body bytes count
  as activity and the idle timeout alone would never end it;
- a client pipelining 1,000,000 requests and never reading: the server stops reading from it when its
  answers back up (memory bounded; RSS reported), others are served;
- more idle connections than maxConnections: the extra ones wait in the backlog until the idle
  timeout frees slots; reported with the health latency.

Prints per case what happened and the health latency seen meanwhile; fails only on a health
request that got no answer within its functional timeout, a 5xx, or a server exit.

Usage: slow_clients.py VITALS_BIN    (bounded, about 40 s)"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

IDLE = 3.0
PIPELINED = 1_000_000
MAX_CONNECTIONS = 64
READ_TIMEOUT = 5
binary = sys.argv[1]
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
process, _ = vitals_server.start(port, ["--grpc-port", "0"], binary=binary, quiet=True,
                                 config_text=f"idleTimeout: {IDLE:g}s\nmaxConnections: {MAX_CONNECTIONS}\n"
                                             f"requestReadTimeout: {READ_TIMEOUT:g}s\n")
failures = []


def read_status(connection):
    """Reads one response's status line (and the rest that arrives); None if closed first."""
    data = b""
    while b"\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    return int(data.split(b" ", 2)[1])


def wait_closed(connection, limit):
    """Seconds until the server closes `connection` (reading and discarding), or None."""
    began = time.monotonic()
    connection.settimeout(0.2)
    while time.monotonic() - began < limit:
        try:
            if not connection.recv(65536):
                return time.monotonic() - began
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - began
    return None


class HealthWatch:
    """Asks /ext/health on a new connection every 0.2 s while a case runs."""

    def __init__(self, case, timeout):
        self.case, self.timeout = case, timeout
        self.latencies, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=self.timeout) as connection:
                    connection.sendall(b"GET /ext/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    status = read_status(connection)
                if status is None or status >= 500 and status != 503:
                    failures.append(f"{self.case}: /ext/health answered {status}")
                self.latencies.append(time.monotonic() - began)
            except OSError as error:
                failures.append(f"{self.case}: /ext/health got no answer within {self.timeout:g} s ({error})")
            self.stop.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(self.timeout + 5)

    def summary(self):
        if not self.latencies:
            return "health: no answer"
        return f"health answered {len(self.latencies)}x, max {max(self.latencies) * 1000:.0f} ms"


results = []

# 1. One byte at a time.
with HealthWatch("byte at a time", 5) as watch:
    request = b"GET /nacos/v1/ns/instance/list?serviceName=slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        for byte in request:
            connection.send(bytes([byte]))
            time.sleep(0.01)
        status = read_status(connection)
results.append(f"a {len(request)}-byte request sent a byte per 10 ms: answered {status}; {watch.summary()}")
if status != 200:
    failures.append(f"byte at a time: answered {status}")

# 2. Slowloris: endless request heads.
with HealthWatch("slowloris", 5) as watch:
    loris = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
    for connection in loris:
        connection.sendall(b"GET /ext/health HTTP/1.1\r\nHost: x\r\n")
    closed_after = []
    stop = time.monotonic() + IDLE * 3
    open_ones = list(loris)
    began = time.monotonic()
    while open_ones and time.monotonic() < stop:
        time.sleep(1)
        for connection in list(open_ones):
            try:
                connection.sendall(b"X-A: b\r\n")
            except OSError:
                closed_after.append(time.monotonic() - began)
                open_ones.remove(connection)
    for connection in loris:
        connection.close()
results.append(f"slowloris, 40 endless request heads a header line per second: {len(closed_after)} closed by the server "
               f"(after {min(closed_after, default=0):.1f}-{max(closed_after, default=0):.1f} s), "
               f"{len(open_ones)} still open after {IDLE * 3:g} s; {watch.summary()}")
if open_ones:
    failures.append(f"slowloris: {len(open_ones)} endless request heads still open after {IDLE * 3:g} s")

# 3. A body a byte per second.
with HealthWatch("slow body", 5) as watch:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"POST /nacos/v1/ns/instance HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
        began = time.monotonic()
        held = None
        while time.monotonic() - began < IDLE * 2.5:
            try:
                connection.sendall(b"a")
            except OSError:
                held = time.monotonic() - began
                break
            time.sleep(1)
results.append("a body sent a byte per second: " + (f"closed after {held:.1f} s (requestReadTimeout "
               f"{READ_TIMEOUT:g} s)" if held is not None else f"still open after {IDLE * 2.5:g} s")
               + f"; {watch.summary()}")
if held is None:
    failures.append(f"slow body: still open after {IDLE * 2.5:g} s despite requestReadTimeout {READ_TIMEOUT:g} s")

# 4. Pipelining without reading.
with HealthWatch("never reads", 5) as watch:
    before = vitals_server.rss_kib(process.pid)
    hog = socket.create_connection(("127.0.0.1", port), timeout=5)
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    pipelined = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * PIPELINED
    hog.setblocking(False)
    sent = 0
    began = time.monotonic()
    while sent < len(pipelined) and time.monotonic() - began < IDLE * 2:
        try:
            sent += hog.send(pipelined[sent:sent + 65536])
        except BlockingIOError:
            time.sleep(0.05)
    time.sleep(IDLE * 1.5)
    peak = vitals_server.rss_kib(process.pid)
    still_open = True
    try:
        hog.send(b"")
        still_open = hog.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        still_open = True
    except OSError:
        still_open = False
    hog.close()
results.append(f"{PIPELINED:,} pipelined /metrics requests, answers never read: {sent * 100 // len(pipelined)}% of them "
               f"sent within {IDLE * 2:g} s, RSS {before / 1024:.1f} -> {peak / 1024:.1f} MiB, "
               f"connection {'held open (the server waits to write; bounded by maxConnections)' if still_open else 'closed'}"
               f"; {watch.summary()}")

# 5. More idle connections than maxConnections.
with HealthWatch("idle flood", IDLE * 3 + 5) as watch:
    began = time.monotonic()
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(MAX_CONNECTIONS + 32)]
    opened = time.monotonic() - began
    closed = [wait_closed(connection, IDLE * 4) for connection in idle[:8]]
    closed = [opened + sum(closed[:i + 1]) for i, c in enumerate(closed) if c is not None]
    for connection in idle:
        connection.close()
results.append(f"{MAX_CONNECTIONS + 32} idle connections (maxConnections {MAX_CONNECTIONS}): the first ones closed by "
               f"the idle timeout {max(closed, default=0):.1f} s after they opened, the extra ones waited in the backlog "
               f"meanwhile; {watch.summary()}" if closed else
               f"{MAX_CONNECTIONS + 32} idle connections: none closed within {IDLE * 4:g} s")

alive = process.poll() is None
vitals_server.stop(process)
print("slow clients:")
for line in results:
    print("  " + line)
if not alive:
    failures.append("the server exited")
for failure in failures[:20]:
    print("  FAIL", failure)
sys.exit(1 if failures else 0)
