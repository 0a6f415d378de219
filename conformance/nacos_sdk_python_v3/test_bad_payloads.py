"""Malformed and unknown Nacos gRPC payloads get error responses; the connection and server survive.
Uses the SDK's own generated protobuf stubs as a raw client."""
import json

import grpc
import pytest
from v2.nacos.transport.grpcauto import nacos_grpc_service_pb2 as pb
from v2.nacos.transport.grpcauto import nacos_grpc_service_pb2_grpc as pb_grpc


@pytest.fixture()
def stub(server):
    channel = grpc.insecure_channel(f"127.0.0.1:{server['http'] + 1000}")
    yield pb_grpc.RequestStub(channel)
    channel.close()


def call(stub, type_name, body):
    payload = pb.Payload()
    payload.metadata.type = type_name
    payload.body.value = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = stub.request(payload, timeout=5)
    return reply.metadata.type, json.loads(reply.body.value)


def test_server_check_answers_any_connection(stub):
    kind, body = call(stub, "ServerCheckRequest", {"headers": {}, "requestId": "", "module": ""})
    assert kind == "ServerCheckResponse"
    assert body["resultCode"] == 200 and body["connectionId"]


def test_unregistered_connections_get_301(stub):
    kind, body = call(stub, "ServiceListRequest", {"namespace": "public", "groupName": "DEFAULT_GROUP"})
    assert kind == "ErrorResponse"
    assert (body["resultCode"], body["errorCode"]) == (500, 301)
    assert body["message"] == "Connection is unregistered."


@pytest.mark.parametrize("type_name,body,code", [
    ("", b"{}", 502),
    ("InstanceRequest", b"not json at all", 502),
    ("InstanceRequest", b"[1, 2, 3]", 502),
    ("InstanceRequest", b"\xff\xfe\xfd", 502),
])
def test_unparsable_payloads(stub, type_name, body, code):
    kind, reply = call(stub, type_name, body)
    assert kind == "ErrorResponse"
    assert reply["errorCode"] == code
    assert reply["message"]
    # The server still answers on the same channel.
    assert call(stub, "ServerCheckRequest", {})[0] == "ServerCheckResponse"


@pytest.fixture()
def registered(server):
    """A raw channel that completed the Nacos handshake on its bi-stream."""
    import queue
    channel = grpc.insecure_channel(f"127.0.0.1:{server['http'] + 1000}")
    outgoing = queue.Queue()

    def requests():
        while True:
            item = outgoing.get()
            if item is None:
                return
            yield item

    stream = pb_grpc.BiRequestStreamStub(channel).requestBiStream(requests())
    stub = pb_grpc.RequestStub(channel)
    call(stub, "ServerCheckRequest", {})
    setup = pb.Payload()
    setup.metadata.type = "ConnectionSetupRequest"
    setup.body.value = json.dumps({"clientVersion": "raw-test", "tenant": "", "labels": {}, "abilityTable": {}}).encode()
    outgoing.put(setup)
    ack = next(stream)
    assert ack.metadata.type == "SetupAckRequest"
    yield stub
    outgoing.put(None)
    channel.close()


def test_unknown_request_types_get_an_error_response(registered):
    kind, body = call(registered, "NoSuchRequest", {"requestId": "1"})
    assert kind == "ErrorResponse"
    assert body["errorCode"] == 302
    assert "NoSuchRequest" in body["message"]


@pytest.mark.parametrize("body,fragment", [
    ({"namespace": None, "serviceName": None, "groupName": None, "type": "registerInstance", "instance": {}},
     "serviceName"),
    ({"serviceName": "raw", "type": "registerInstance", "instance": {"ip": None, "port": 1}}, "ip"),
    ({"serviceName": "raw", "type": "registerInstance", "instance": {"ip": "127.0.0.1", "port": "x"}}, "port"),
    ({"serviceName": "raw", "type": "dance", "instance": {"ip": "127.0.0.1", "port": 1}}, "dance"),
    ({"serviceName": "raw", "type": "registerInstance", "instance": {"ip": "127.0.0.1", "port": 1, "weight": -5}},
     "weight"),
])
def test_bad_fields_are_refused_with_a_reason(registered, body, fragment):
    kind, reply = call(registered, "InstanceRequest", body)
    assert kind == "ErrorResponse"
    assert reply["errorCode"] == 400
    assert fragment in reply["message"]


def test_unknown_fields_and_nulls_in_optional_places_are_accepted(registered, server):
    kind, reply = call(registered, "InstanceRequest", {
        "namespace": None, "serviceName": "raw.ok", "groupName": None, "type": "registerInstance",
        "somethingNew": {"nested": True},
        "instance": {"instanceId": None, "ip": "127.0.0.1", "port": 19401, "clusterName": None, "serviceName": None,
                     "metadata": None, "futureField": 1}})
    assert kind == "InstanceResponse", reply
    kind, reply = call(registered, "ServiceQueryRequest", {"serviceName": "raw.ok", "cluster": None})
    assert kind == "QueryServiceResponse"
    assert [h["port"] for h in reply["serviceInfo"]["hosts"]] == [19401]
