"""nacos-sdk-python 3.2.0 (gRPC, asyncio) against Vitals: every naming call, pushes, and
what happens when a client process dies."""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
from v2.nacos import (BatchRegisterInstanceParam, ClientConfigBuilder, DeregisterInstanceParam, GetServiceParam,
                      ListInstanceParam, ListServiceParam, NacosNamingService, RegisterInstanceParam,
                      SubscribeServiceParam)


async def naming_service(server):
    directory = tempfile.mkdtemp(prefix="nacos-client-")
    config = (ClientConfigBuilder().server_address(f"127.0.0.1:{server['http']}").log_dir(directory)
              .cache_dir(directory).build())
    config.update_cache_when_empty = True
    config.load_cache_at_start = False
    return await NacosNamingService.create_naming_service(config)


async def eventually(condition, seconds=10.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.05)
    return False


def http_hosts(server, service):
    url = f"http://127.0.0.1:{server['http']}/nacos/v1/ns/instance/list?serviceName={service}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())["hosts"]


def run(coroutine):
    return asyncio.run(coroutine)


def test_register_list_get_deregister(server):
    async def scenario():
        naming = await naming_service(server)
        try:
            assert await naming.register_instance(RegisterInstanceParam(
                service_name="grpc.crud", ip="127.0.0.1", port=19001, metadata={"zone": "a"}))
            # A service is ephemeral or persistent for good (as in Nacos): persistent ones elsewhere.
            assert await naming.register_instance(RegisterInstanceParam(
                service_name="grpc.kept", ip="127.0.0.1", port=19002, ephemeral=False))
            instances = await naming.list_instances(ListInstanceParam(service_name="grpc.crud", subscribe=False, healthy_only=None))
            assert [i.port for i in instances] == [19001]
            assert instances[0].metadata == {"zone": "a"}
            service = await naming.get_service(GetServiceParam(service_name="grpc.crud"))
            assert service.name == "grpc.crud" and service.groupName == "DEFAULT_GROUP"
            assert [h["port"] for h in http_hosts(server, "grpc.kept")] == [19002]
            assert http_hosts(server, "grpc.kept")[0]["ephemeral"] is False
            assert await naming.deregister_instance(DeregisterInstanceParam(
                service_name="grpc.crud", ip="127.0.0.1", port=19001))
            assert await naming.deregister_instance(DeregisterInstanceParam(
                service_name="grpc.kept", ip="127.0.0.1", port=19002, ephemeral=False))
            assert http_hosts(server, "grpc.crud") == []
            assert http_hosts(server, "grpc.kept") == []
        finally:
            await naming.shutdown()
    run(scenario())


def test_batch_register_and_list_services(server):
    async def scenario():
        naming = await naming_service(server)
        try:
            instances = [RegisterInstanceParam(service_name="grpc.batch", ip="127.0.0.1", port=port)
                         for port in (19101, 19102, 19103)]
            assert await naming.batch_register_instances(BatchRegisterInstanceParam(
                service_name="grpc.batch", instances=instances))
            assert {h["port"] for h in http_hosts(server, "grpc.batch")} == {19101, 19102, 19103}
            services = await naming.list_services(ListServiceParam(page_size=100))
            assert "grpc.batch" in services.services
            assert services.count >= 1
        finally:
            await naming.shutdown()
    run(scenario())


def test_subscribe_receives_pushes_and_unsubscribe_stops_them(server):
    async def scenario():
        watcher = await naming_service(server)
        writer = await naming_service(server)
        received = []

        async def on_change(instances):
            received.append((time.monotonic(), sorted(i.port for i in instances)))

        try:
            assert await writer.register_instance(RegisterInstanceParam(
                service_name="grpc.push", ip="127.0.0.1", port=19201))
            await watcher.subscribe(SubscribeServiceParam(service_name="grpc.push", subscribe_callback=on_change))
            latencies = []
            for port in range(19202, 19212):
                before = time.monotonic()
                assert await writer.register_instance(RegisterInstanceParam(
                    service_name="grpc.push", ip="127.0.0.1", port=port))
                assert await eventually(lambda: asyncio.sleep(0, any(port in ports for _, ports in received)), 1.0), \
                    f"no push for {port} within a second"
                arrived = next(t for t, ports in received if port in ports)
                latencies.append(max(0.0, arrived - before) * 1000)
            latencies.sort()
            report = os.environ.get("PUSH_LATENCY_REPORT")
            if report:
                with open(report, "w") as handle:
                    json.dump({"samples_ms": latencies,
                               "p50_ms": statistics.median(latencies),
                               "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}, handle)
            await watcher.unsubscribe(SubscribeServiceParam(service_name="grpc.push", subscribe_callback=on_change))
            count = len(received)
            assert await writer.register_instance(RegisterInstanceParam(
                service_name="grpc.push", ip="127.0.0.1", port=19299))
            await asyncio.sleep(0.5)
            assert len(received) == count
        finally:
            await watcher.shutdown()
            await writer.shutdown()
    run(scenario())


def test_killed_client_loses_its_instances_and_subscribers_are_pushed(server):
    async def scenario():
        watcher = await naming_service(server)
        received = []

        async def on_change(instances):
            received.append(sorted(i.port for i in instances))

        client = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(__file__), "client_process.py"),
             str(server["http"]), "grpc.doomed", "19301"],
            stdout=subprocess.PIPE, text=True)
        try:
            assert client.stdout.readline().strip() == "READY"
            assert [h["port"] for h in http_hosts(server, "grpc.doomed")] == [19301]
            await watcher.subscribe(SubscribeServiceParam(service_name="grpc.doomed", subscribe_callback=on_change))
            client.kill()
            client.wait(timeout=10)
            assert await eventually(lambda: asyncio.sleep(0, http_hosts(server, "grpc.doomed") == []), 10.0)
            assert await eventually(lambda: asyncio.sleep(0, [] in received), 10.0)
        finally:
            if client.poll() is None:
                client.kill()
            await watcher.shutdown()
    run(scenario())
