"""Detection and push: K targets (tiny HTTP servers on 127.0.0.1) registered with a declared
HTTP check; each target is killed at a random moment; measures the time from the kill to the
instance turning unhealthy in the registry, and from that change to a real gRPC subscriber's
callback (nacos-sdk-python 3.2.0). Run with the conformance venv's python.

The moment of the change is bracketed by polling the instance list every ~2 ms: it lies after
the last poll that still saw the instance healthy was sent, and before the first poll that saw
it unhealthy returned. Detection is reported up to that upper end (an upper bound), push from
the lower end to the callback (an upper bound too).

Usage: detect_push.py HTTP_PORT TARGETS INTERVAL_MS FALL FIRST_TARGET_PORT   (prints one JSON line)"""
import asyncio
import json
import random
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from v2.nacos import ClientConfigBuilder, NacosNamingService, SubscribeServiceParam

SERVICE = "bench.detect"


async def serve_target(port, connections):
    async def handle(reader, writer):
        connections.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            connections.discard(writer)
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)


def kill_target(server, connections):
    server.close()
    for writer in list(connections):
        writer.transport.abort()


def http(method, url):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def list_health(port):
    body = http("GET", f"http://127.0.0.1:{port}/nacos/v1/ns/instance/list?serviceName={SERVICE}&healthyOnly=false")
    return {host["port"]: host.get("trueHealthy", host["healthy"]) for host in json.loads(body)["hosts"]}


def poller(http_port, stop, samples):
    while not stop.is_set():
        sent = time.monotonic()
        try:
            health = list_health(http_port)
        except OSError:
            continue
        samples.append((sent, time.monotonic(), health))
        time.sleep(0.002)


async def main(http_port, count, interval_ms, fall, first_port):
    loop = asyncio.get_running_loop()
    ports = [first_port + i for i in range(count)]
    connections = {port: set() for port in ports}
    servers = {port: await serve_target(port, connections[port]) for port in ports}
    metadata = json.dumps({
        "vitals.check.type": "HTTP", "vitals.check.path": "/health", "vitals.check.interval": str(interval_ms),
        "vitals.check.timeout": "500", "vitals.check.fall": str(fall)})
    for port in ports:
        query = urllib.parse.urlencode({"serviceName": SERVICE, "ip": "127.0.0.1", "port": port, "metadata": metadata})
        await loop.run_in_executor(None, http, "POST", f"http://127.0.0.1:{http_port}/nacos/v1/ns/instance?{query}")
    deadline = time.monotonic() + 10
    while not all(list_health(http_port).get(port) for port in ports):
        if time.monotonic() > deadline:
            raise SystemExit("targets did not turn healthy")
        await asyncio.sleep(0.05)

    directory = tempfile.mkdtemp(prefix="nacos-bench-")
    config = (ClientConfigBuilder().server_address(f"127.0.0.1:{http_port}").log_dir(directory)
              .cache_dir(directory).build())
    config.load_cache_at_start = False
    watcher = await NacosNamingService.create_naming_service(config)
    callbacks = {}

    async def on_change(instances):
        now = time.monotonic()
        for instance in instances:
            if not instance.healthy:
                callbacks.setdefault(instance.port, now)

    await watcher.subscribe(SubscribeServiceParam(service_name=SERVICE, subscribe_callback=on_change))
    await asyncio.sleep(1.0)

    samples, stop = [], threading.Event()
    thread = threading.Thread(target=poller, args=(http_port, stop, samples), daemon=True)
    thread.start()
    await asyncio.sleep(0.2)
    kills = {}
    start = time.monotonic()
    for port in random.sample(ports, len(ports)):
        # Kill moments spread at random over two intervals, so they fall at every check phase.
        await asyncio.sleep(max(0.0, start + random.uniform(0, 2 * interval_ms / 1000) - time.monotonic()))
        kill_target(servers[port], connections[port])
        kills[port] = time.monotonic()
    deadline = time.monotonic() + interval_ms / 1000 * fall + 3
    while len(callbacks) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    stop.set()
    thread.join()
    await watcher.shutdown()

    detection, push, missing = [], [], []
    for port in ports:
        last_healthy_sent = max((s for s, _, h in samples if h.get(port) and s >= kills[port] - 2), default=None)
        first_unhealthy = min((r for _, r, h in samples if h.get(port) is False and r >= kills[port]), default=None)
        if first_unhealthy is None or port not in callbacks or last_healthy_sent is None:
            missing.append(port)
            continue
        detection.append((first_unhealthy - kills[port]) * 1000)
        push.append(max(0.0, callbacks[port] - last_healthy_sent) * 1000)
    print(json.dumps({"targets": count, "interval_ms": interval_ms, "fall": fall, "detection_ms": detection,
                      "push_ms": push, "missing": len(missing), "polls": len(samples)}))


asyncio.run(main(*(int(a) for a in sys.argv[1:6])))
