"""grpc.health.v1 on the gRPC port, driven by the standard Python health client (grpcio-health-checking)."""
import json
import queue
import threading
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc


@pytest.fixture()
def health(server):
    channel = grpc.insecure_channel(f"127.0.0.1:{server['http'] + 1000}")
    yield health_pb2_grpc.HealthStub(channel)
    channel.close()


def http(server, method, path):
    request = urllib.request.Request(f"http://127.0.0.1:{server['http']}{path}", method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


def test_check_server_and_services(health, server):
    assert health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status == SERVING
    http(server, "POST", "/nacos/v1/ns/instance?serviceName=hc.api&ip=127.0.0.1&port=19501")
    assert health.Check(health_pb2.HealthCheckRequest(service="DEFAULT_GROUP@@hc.api"), timeout=5).status == SERVING
    assert health.Check(health_pb2.HealthCheckRequest(service="public/DEFAULT_GROUP@@hc.api"), timeout=5).status == SERVING
    http(server, "PUT", "/nacos/v2/ns/health/instance?serviceName=hc.api&ip=127.0.0.1&port=19501&healthy=false")
    assert health.Check(health_pb2.HealthCheckRequest(service="DEFAULT_GROUP@@hc.api"), timeout=5).status == NOT_SERVING
    with pytest.raises(grpc.RpcError) as failure:
        health.Check(health_pb2.HealthCheckRequest(service="DEFAULT_GROUP@@nope"), timeout=5)
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_list(health, server):
    http(server, "POST", "/nacos/v1/ns/instance?serviceName=hc.listed&ip=127.0.0.1&port=19502")
    statuses = health.List(health_pb2.HealthListRequest(), timeout=5).statuses
    assert statuses[""].status == SERVING
    assert statuses["DEFAULT_GROUP@@hc.listed"].status == SERVING


def test_watch_streams_changes_and_unknown_names(health, server):
    http(server, "POST", "/nacos/v1/ns/instance?serviceName=hc.watched&ip=127.0.0.1&port=19503")
    updates = queue.Queue()
    call = health.Watch(health_pb2.HealthCheckRequest(service="DEFAULT_GROUP@@hc.watched"), timeout=30)

    def read():
        try:
            for message in call:
                updates.put(message.status)
        except grpc.RpcError:
            pass

    threading.Thread(target=read, daemon=True).start()
    assert updates.get(timeout=5) == SERVING
    http(server, "PUT", "/nacos/v2/ns/health/instance?serviceName=hc.watched&ip=127.0.0.1&port=19503&healthy=false")
    assert updates.get(timeout=5) == NOT_SERVING
    http(server, "PUT", "/nacos/v2/ns/health/instance?serviceName=hc.watched&ip=127.0.0.1&port=19503&healthy=true")
    assert updates.get(timeout=5) == SERVING
    call.cancel()

    unknown = health.Watch(health_pb2.HealthCheckRequest(service="DEFAULT_GROUP@@hc.later"), timeout=30)
    first = next(unknown)
    assert first.status == SERVICE_UNKNOWN
    http(server, "POST", "/nacos/v1/ns/instance?serviceName=hc.later&ip=127.0.0.1&port=19504")
    assert next(unknown).status == SERVING
    unknown.cancel()
