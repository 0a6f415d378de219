"""Soak: N ephemeral instances registered over the Nacos HTTP v1 API and beating every 5 s
(`PUT /nacos/v1/ns/instance/beat`) for a given time, from a bounded asyncio load generator on
keep-alive connections (python stdlib only). Shows that

- no instance ever turns unhealthy or disappears while its beats arrive on time (0 false
  transitions), read from each instance's transition history at the end and from the instance
  lists polled during the run;
- every registration is answered ok and every beat 200 with code 10200;
- the server's memory stays flat once all instances are registered (RSS sampled from /proc).

The generator reports how late it sent beats: the server turns an instance unhealthy after 15 s
without a beat, so a beat later than 10 s would be the generator's fault, and the run says so.

Prints: instances, beats sent and failed, generator lateness (p99, max), false transitions,
unhealthy sightings, RSS first/last/max and its slope, server CPU.

Usage: soak.py VITALS_BIN [--instances 10000] [--duration 1800] [--interval 5]
    CI runs: soak.py BIN --instances 1000 --duration 20        (loopback only; bounded by --duration)"""
import argparse
import asyncio
import json
import os
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("binary")
parser.add_argument("--instances", type=int, default=10_000)
parser.add_argument("--duration", type=float, default=60, help="seconds of beating after registration")
parser.add_argument("--interval", type=float, default=5, help="beat interval in seconds")
parser.add_argument("--per-service", type=int, default=100, help="instances per service")
args = parser.parse_args()

BEAT_TIMEOUT = 15.0  # the server's default: unhealthy after 15 s without a beat
N = args.instances
SERVICES = max(1, (N + args.per_service - 1) // args.per_service)
CONNECTIONS = max(4, min(64, N // 100))

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    PORT = probe.getsockname()[1]


def instance(i):
    """(service name, port) of instance i; all on 127.0.0.1, never contacted by the server."""
    return f"soak-{i % SERVICES}", 20000 + i


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time, reconnecting after an error."""

    def __init__(self):
        self.reader = self.writer = None
        self.reconnects = 0

    async def request(self, method, path, query):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", PORT)
        target = path + "?" + urllib.parse.urlencode(query)
        self.writer.write(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode())
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await asyncio.wait_for(self.reader.readexactly(length), 10)
            return status, body
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError):
            self.close()
            self.reconnects += 1
            raise

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Figures:
    def __init__(self):
        self.beats = 0
        self.registrations = 0
        self.beat_failures = {}
        self.late_bounds = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, float("inf")]
        self.late_counts = [0] * len(self.late_bounds)
        self.max_late = 0.0
        self.unhealthy_sightings = 0
        self.missing_sightings = 0
        self.list_polls = 0
        self.rss = []  # (seconds since the beats began, KiB)
        self.cpu_start = None

    def late(self, seconds):
        self.max_late = max(self.max_late, seconds)
        for index, bound in enumerate(self.late_bounds):
            if seconds <= bound:
                self.late_counts[index] += 1
                return

    def late_quantile(self, q):
        total = sum(self.late_counts)
        seen = 0
        for bound, count in zip(self.late_bounds, self.late_counts):
            seen += count
            if total and seen >= q * total:
                return bound
        return 0.0

    def failure(self, reason):
        self.beat_failures[reason] = self.beat_failures.get(reason, 0) + 1


figures = Figures()


def read_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def beat_worker(connection, ids, began, end):
    """Registers instances `ids` (sorted by their offset in the interval) in the first round, then
    beats each every interval until `end`: registrations are paced like beats, so no instance
    waits longer than one interval for its first beat."""
    loop = asyncio.get_running_loop()
    offsets = [(i * args.interval) / N for i in ids]
    round_number = 0
    while True:
        for i, offset in zip(ids, offsets):
            due = began + offset + round_number * args.interval
            if due >= end:
                return
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            figures.late(max(0.0, loop.time() - due))
            service, port = instance(i)
            query = {"serviceName": service, "ip": "127.0.0.1", "port": port}
            registering = round_number == 0
            if registering:
                figures.registrations += 1
            else:
                figures.beats += 1
            try:
                if registering:
                    status, body = await connection.request("POST", "/nacos/v1/ns/instance", query)
                else:
                    status, body = await connection.request("PUT", "/nacos/v1/ns/instance/beat", query)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
                figures.failure(f"connection error {type(error).__name__}")
                continue
            if status != 200:
                figures.failure(f"HTTP {status}")
            elif body != b"ok" if registering else b'"code":10200' not in body:
                figures.failure(f"answer {body[:80]!r}")
        round_number += 1


async def monitor(pid, began, end):
    """Samples RSS every 2 s and polls every service's instance list every 10 s."""
    loop = asyncio.get_running_loop()
    connection = Connection()
    next_poll = began + max(10, 2 * args.interval)  # after the registration round
    while loop.time() < end:
        figures.rss.append((loop.time() - began, vitals_server.rss_kib(pid)))
        if loop.time() >= next_poll:
            next_poll += 10
            figures.list_polls += 1
            for s in range(SERVICES):
                try:
                    status, body = await connection.request(
                        "GET", "/nacos/v1/ns/instance/list", {"serviceName": f"soak-{s}"})
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
                    continue
                hosts = json.loads(body).get("hosts", []) if status == 200 else []
                figures.unhealthy_sightings += sum(1 for host in hosts if not host.get("healthy"))
                expected = len(range(s, N, SERVICES))
                figures.missing_sightings += max(0, expected - len(hosts))
        await asyncio.sleep(min(2.0, max(0.0, end - loop.time())))
    figures.rss.append((loop.time() - began, vitals_server.rss_kib(pid)))
    connection.close()


async def count_false_transitions(connections):
    """Every transition after registration that is not to healthy, from each instance's history."""
    false = []

    async def check(connection, ids):
        for i in ids:
            service, port = instance(i)
            status, body = await connection.request(
                "GET", "/vitals/v1/ns/instance/history", {"serviceName": service, "ip": "127.0.0.1", "port": port})
            document = json.loads(body)
            if status != 200 or document.get("code") != 0:
                false.append((i, f"history answered {status}: {document.get('data')}"))
                continue
            for transition in document["data"]:
                if transition["to"] is not True:
                    false.append((i, f"{transition['from']} -> {transition['to']}: {transition['cause']}"))

    await asyncio.gather(*(check(c, range(k, N, len(connections))) for k, c in enumerate(connections)))
    return false


def slope_kib_per_minute(samples):
    if len(samples) < 2:
        return 0.0
    xs = [t for t, _ in samples]
    ys = [v for _, v in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    if denominator == 0:
        return 0.0
    return 60 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / denominator


async def main(pid):
    loop = asyncio.get_running_loop()
    connections = [Connection() for _ in range(CONNECTIONS)]
    figures.cpu_start = read_cpu_seconds(pid)
    began = loop.time() + 0.1
    end = began + args.duration
    workers = [beat_worker(c, list(range(k, N, CONNECTIONS)), began, end) for k, c in enumerate(connections)]
    await asyncio.gather(monitor(pid, began, end), *workers)
    cpu_seconds = read_cpu_seconds(pid) - figures.cpu_start
    false = await count_false_transitions(connections)
    for connection in connections:
        connection.close()
    return cpu_seconds, false


process, _ = vitals_server.start(PORT, ["--grpc-port", "0"], binary=args.binary, quiet=True)
try:
    cpu_seconds, false = asyncio.run(main(process.pid))
    crashed = process.poll() is not None
finally:
    vitals_server.stop(process)

# RSS after warm-up: from the first full beat round on (the registry is complete, the
# connections are open), so the slope is the steady state's.
warm = [sample for sample in figures.rss if sample[0] >= min(args.interval * 2, args.duration / 2)]
first_kib, last_kib = warm[0][1], warm[-1][1]
max_kib = max(v for _, v in warm)
failed_beats = sum(figures.beat_failures.values())
print(f"soak: {N} ephemeral instances in {SERVICES} services, beating every {args.interval:g} s for "
      f"{args.duration:g} s over {CONNECTIONS} keep-alive connections (registered during the first interval)")
print(f"  requests: {figures.registrations} registrations and {figures.beats} beats sent "
      f"({(figures.registrations + figures.beats) / args.duration:.0f}/s), {failed_beats} failed"
      + "".join(f"; {count}x {reason}" for reason, count in figures.beat_failures.items()))
print(f"  generator lateness: p50 <= {min(figures.late_quantile(0.5), figures.max_late) * 1000:.0f} ms, p99 <= "
      f"{min(figures.late_quantile(0.99), figures.max_late) * 1000:.0f} ms, max {figures.max_late * 1000:.0f} ms "
      f"(an instance turns unhealthy after {BEAT_TIMEOUT:g} s without a beat)")
print(f"  false transitions: {len(false)} (from {N} instance histories); unhealthy sightings {figures.unhealthy_sightings}, "
      f"missing sightings {figures.missing_sightings} in {figures.list_polls} polls of {SERVICES} instance lists")
print(f"  server RSS after warm-up: first {first_kib / 1024:.1f} MiB, last {last_kib / 1024:.1f} MiB, max "
      f"{max_kib / 1024:.1f} MiB, slope {slope_kib_per_minute(warm) / 1024:+.2f} MiB/min over {len(warm)} samples")
print(f"  server CPU during the beats: {cpu_seconds:.1f} s ({100 * cpu_seconds / args.duration:.0f}% of one core)")
for i, reason in false[:10]:
    print(f"  FAIL instance {i} {instance(i)}: {reason}")
problems = []
if false or figures.unhealthy_sightings or figures.missing_sightings:
    problems.append("instances turned unhealthy or disappeared while beating")
if failed_beats:
    problems.append("registrations or beats failed")
if crashed:
    problems.append("the server exited during the run")
if problems and args.interval + figures.max_late >= BEAT_TIMEOUT:
    problems.append(f"the generator left gaps of up to {args.interval + figures.max_late:.1f} s between beats, "
                    f"beyond the server's {BEAT_TIMEOUT:g} s beat timeout: the generator's fault, not the server's")
for problem in problems:
    print("  FAIL", problem)
sys.exit(1 if problems else 0)
