"""Overload: more connections and requests than the server is configured to take
(`maxConnections: 64`), from a bounded asyncio load generator (python stdlib only). Shows that

- every flood request gets an answer: served (200), or shed near the connection limit with 503,
  `Retry-After` and `Connection: close`; connections beyond the limit wait in the kernel's listen
  backlog (costing the server nothing); no other 5xx, no connection reset;
- the server's memory stays bounded (RSS sampled from /proc during the flood);
- `GET /livez` and `GET /ext/health` on new connections still answer during the flood (latencies
  reported; the only assertion is a functional 5 s timeout).

Flood: CLIENTS concurrent clients for DURATION seconds, each connecting, sending up to 50
keep-alive requests back to back (instance lists, beats and ephemeral registrations, like Nacos
HTTP clients) and closing again. Prints: requests tried, answered by status, connection errors,
flood latency, health latencies, RSS before/max/after.

Usage: overload.py VITALS_BIN [--clients 512] [--duration 10]    (loopback only; bounded)"""
import argparse
import asyncio
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("binary")
parser.add_argument("--clients", type=int, default=512)
parser.add_argument("--duration", type=float, default=10)
parser.add_argument("--max-connections", type=int, default=64)
args = parser.parse_args()
HEALTH_TIMEOUT = 5.0

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    PORT = probe.getsockname()[1]


class Figures:
    def __init__(self):
        self.statuses = {}
        self.errors = {}
        self.latencies = []
        self.health = {"/livez": [], "/ext/health": []}
        self.health_failures = []
        self.rss = []


figures = Figures()


async def read_response(reader, timeout):
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await asyncio.wait_for(reader.readexactly(length), timeout)
    if status == 503 and b"\r\nretry-after:" not in head.lower():
        figures.statuses["503 without Retry-After"] = figures.statuses.get("503 without Retry-After", 0) + 1
    return status, body, b"\r\nconnection: close" in head.lower()


def flood_request(client, n):
    kind = n % 3
    if kind == 0:
        return "GET", "/nacos/v1/ns/instance/list", {"serviceName": f"flood-{client % 16}"}
    query = {"serviceName": f"flood-{client % 16}", "ip": "127.0.0.1", "port": 30000 + client}
    return ("POST", "/nacos/v1/ns/instance", query) if kind == 1 else ("PUT", "/nacos/v1/ns/instance/beat", query)


async def flood_client(client, end):
    loop = asyncio.get_running_loop()
    while loop.time() < end:
        writer = None
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", PORT), 30)
            for n in range(50):
                if loop.time() >= end:
                    break
                method, path, query = flood_request(client, n)
                sent = loop.time()
                writer.write(f"{method} {path}?{urllib.parse.urlencode(query)} HTTP/1.1\r\nHost: x\r\n"
                             f"Content-Length: 0\r\n\r\n".encode())
                status, _, close = await read_response(reader, 30)
                figures.latencies.append(loop.time() - sent)
                figures.statuses[status] = figures.statuses.get(status, 0) + 1
                if close:  # as HTTP clients do; the server closes its side too
                    break
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            name = type(error).__name__
            figures.errors[name] = figures.errors.get(name, 0) + 1
            await asyncio.sleep(0.05)
        finally:
            if writer is not None:
                writer.close()


async def health_prober(end):
    """Asks /livez and /ext/health on a new connection every 0.25 s, each within 5 s."""
    loop = asyncio.get_running_loop()
    while loop.time() < end:
        for path in figures.health:
            began = loop.time()
            writer = None
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", PORT), HEALTH_TIMEOUT)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                status, _, _ = await read_response(reader, max(0.1, HEALTH_TIMEOUT - (loop.time() - began)))
                figures.health[path].append(loop.time() - began)
                if status >= 500 and path == "/livez":
                    figures.health_failures.append(f"{path} answered {status}")
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
                figures.health_failures.append(f"{path}: {type(error).__name__} after {loop.time() - began:.1f} s")
            finally:
                if writer is not None:
                    writer.close()
        await asyncio.sleep(0.25)


async def sample_rss(pid, end):
    loop = asyncio.get_running_loop()
    while loop.time() < end:
        figures.rss.append(vitals_server.rss_kib(pid))
        await asyncio.sleep(0.5)


async def main(pid):
    loop = asyncio.get_running_loop()
    end = loop.time() + args.duration
    await asyncio.gather(sample_rss(pid, end), health_prober(end),
                         *(flood_client(client, end) for client in range(args.clients)))


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


config = f"maxConnections: {args.max_connections}\nidleTimeout: 5s\n"
process, _ = vitals_server.start(PORT, ["--grpc-port", "0"], config_text=config, binary=args.binary, quiet=True)
try:
    rss_before = vitals_server.rss_kib(process.pid)
    began = time.monotonic()
    asyncio.run(main(process.pid))
    elapsed = time.monotonic() - began
    time.sleep(1)
    rss_after = vitals_server.rss_kib(process.pid)
    alive = process.poll() is None
finally:
    vitals_server.stop(process)

answered = sum(count for status, count in figures.statuses.items() if isinstance(status, int))
server_errors = sum(count for status, count in figures.statuses.items()
                    if isinstance(status, str) or status >= 500 and status != 503)
print(f"overload: {args.clients} clients against maxConnections {args.max_connections} for {elapsed:.1f} s: "
      f"{answered} requests answered ({answered / elapsed:.0f}/s)")
print("  answers by status: " + ", ".join(f"{status}: {count}" for status, count in sorted(figures.statuses.items(), key=str))
      + ("; connection errors: " + ", ".join(f"{name}: {count}" for name, count in figures.errors.items())
         if figures.errors else "; no connection errors"))
print(f"  flood latency (including the wait for a connection slot): p50 {quantile(figures.latencies, 0.5) * 1000:.0f} ms, "
      f"p99 {quantile(figures.latencies, 0.99) * 1000:.0f} ms, max {max(figures.latencies, default=0) * 1000:.0f} ms")
for path, latencies in figures.health.items():
    print(f"  {path} during the flood: {len(latencies)} answered, p50 {quantile(latencies, 0.5) * 1000:.0f} ms, "
          f"max {max(latencies, default=0) * 1000:.0f} ms")
print(f"  server RSS: {rss_before / 1024:.1f} MiB before, max {max(figures.rss, default=0) / 1024:.1f} MiB during, "
      f"{rss_after / 1024:.1f} MiB after")
failures = [f"health: {text}" for text in figures.health_failures]
if server_errors:
    failures.append(f"{server_errors} flood requests answered 5xx (other than 503 with Retry-After)")
if not alive:
    failures.append("the server exited")
if answered == 0:
    failures.append("no flood request was answered")
for failure in failures[:20]:
    print("  FAIL", failure)
sys.exit(1 if failures else 0)
