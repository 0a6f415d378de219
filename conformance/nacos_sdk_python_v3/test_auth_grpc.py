"""nacos-sdk-python 3.2.0 with auth on: it logs in over HTTP (/nacos/v1/auth/users/login) and
sends accessToken in every gRPC request's headers; namespace permissions hold over gRPC too."""
import asyncio
import json
import os
import sys
import tempfile

import pytest
from v2.nacos import (ClientConfigBuilder, ListInstanceParam, NacosNamingService, RegisterInstanceParam,
                      SubscribeServiceParam)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import auth_admin  # noqa: E402
import vitals_server  # noqa: E402
from conftest import _free_pair  # noqa: E402


@pytest.fixture(scope="module")
def auth_server():
    port = _free_pair()
    process, _ = vitals_server.start(port, ["--auth"], env={"VITALS_AUTH_ADMIN_PASSWORD": auth_admin.ADMIN_PASSWORD})
    auth_admin.setup_teams(port)
    yield port
    vitals_server.stop(process)


async def naming(port, namespace="", username=None, password=None):
    directory = tempfile.mkdtemp(prefix="nacos-client-")
    builder = (ClientConfigBuilder().server_address(f"127.0.0.1:{port}").log_dir(directory).cache_dir(directory)
               .namespace_id(namespace))
    if username:
        builder = builder.username(username).password(password)
    config = builder.build()
    config.update_cache_when_empty = True
    config.load_cache_at_start = False
    return await NacosNamingService.create_naming_service(config)


def hosts(port, service, namespace, token):
    status, body = auth_admin.call(port, "GET", "/nacos/v1/ns/instance/list",
                                   {"serviceName": service, "namespaceId": namespace}, token)
    assert status == 200, body
    return [h["port"] for h in json.loads(body)["hosts"]]


def test_without_credentials_grpc_writes_are_refused(auth_server):
    async def scenario():
        client = await naming(auth_server)
        try:
            with pytest.raises(Exception, match="403|user not found"):
                await client.register_instance(RegisterInstanceParam(
                    service_name="auth.grpc.open", ip="127.0.0.1", port=19501))
        finally:
            await client.shutdown()
    asyncio.run(scenario())
    admin = auth_admin.login(auth_server, "nacos", auth_admin.ADMIN_PASSWORD)
    assert hosts(auth_server, "auth.grpc.open", "public", admin) == []


def test_admin_registers_lists_and_gets_pushes(auth_server):
    async def scenario():
        client = await naming(auth_server, username="nacos", password=auth_admin.ADMIN_PASSWORD)
        pushed = asyncio.Event()

        async def listener(instances):
            if any(i.port == 19502 for i in instances):
                pushed.set()
        try:
            await client.subscribe(SubscribeServiceParam(service_name="auth.grpc.admin", subscribe_callback=listener))
            assert await client.register_instance(RegisterInstanceParam(
                service_name="auth.grpc.admin", ip="127.0.0.1", port=19502))
            listed = await client.list_instances(ListInstanceParam(
                service_name="auth.grpc.admin", subscribe=False, healthy_only=None))
            assert [i.port for i in listed] == [19502]
            await asyncio.wait_for(pushed.wait(), 10)
        finally:
            await client.shutdown()
    asyncio.run(scenario())


def test_team_token_reaches_its_namespace_only_over_grpc(auth_server):
    async def scenario():
        own = await naming(auth_server, "ns-a", "alice", "alice-pw")
        other = await naming(auth_server, "ns-b", "alice", "alice-pw")
        try:
            assert await own.register_instance(RegisterInstanceParam(
                service_name="payments", ip="127.0.0.1", port=19503))
            with pytest.raises(Exception, match="403|authorization failed"):
                await other.register_instance(RegisterInstanceParam(
                    service_name="payments", ip="127.0.0.1", port=19504))
            # Checked while the clients are connected: their ephemeral instances leave with them.
            admin = auth_admin.login(auth_server, "nacos", auth_admin.ADMIN_PASSWORD)
            assert hosts(auth_server, "payments", "ns-a", admin) == [19503]
            assert hosts(auth_server, "payments", "ns-b", admin) == []
        finally:
            await own.shutdown()
            await other.shutdown()
    asyncio.run(scenario())
