"""Push latency with the real Python SDK (3.2.0): time from a registration request being sent by
one client to the pushed change reaching another client's subscribe callback.
Prints p50/p90/p99 over N samples. Usage: push_latency.py HTTP_PORT [N]"""
import asyncio
import statistics
import sys
import tempfile
import time

from v2.nacos import ClientConfigBuilder, NacosNamingService, RegisterInstanceParam, SubscribeServiceParam


async def client(port):
    directory = tempfile.mkdtemp(prefix="nacos-bench-")
    config = (ClientConfigBuilder().server_address(f"127.0.0.1:{port}").log_dir(directory)
              .cache_dir(directory).build())
    config.load_cache_at_start = False
    return await NacosNamingService.create_naming_service(config)


async def main(port, samples):
    watcher, writer = await client(port), await client(port)
    arrivals = {}
    event = asyncio.Event()

    async def on_change(instances):
        now = time.monotonic()
        for instance in instances:
            arrivals.setdefault(instance.port, now)
        event.set()

    await writer.register_instance(RegisterInstanceParam(service_name="bench.push", ip="127.0.0.1", port=20000))
    await watcher.subscribe(SubscribeServiceParam(service_name="bench.push", subscribe_callback=on_change))
    await asyncio.sleep(0.5)
    latencies = []
    for index in range(samples):
        port = 20001 + index
        sent = time.monotonic()
        await writer.register_instance(RegisterInstanceParam(service_name="bench.push", ip="127.0.0.1", port=port))
        deadline = sent + 2
        while port not in arrivals and time.monotonic() < deadline:
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), timeout=max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
        if port in arrivals:
            latencies.append((arrivals[port] - sent) * 1000)
    await watcher.shutdown()
    await writer.shutdown()
    latencies.sort()
    def pct(p):
        return latencies[min(len(latencies) - 1, int(round((len(latencies) - 1) * p)))]
    print(f"push latency over {len(latencies)} of {samples} changes (register sent -> callback): "
          f"p50 {pct(0.5):.1f} ms, p90 {pct(0.9):.1f} ms, p99 {pct(0.99):.1f} ms, max {latencies[-1]:.1f} ms")


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200))
