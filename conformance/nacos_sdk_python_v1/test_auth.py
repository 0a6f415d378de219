"""nacos-sdk-python 0.1.17 with auth on: it logs in (/nacos/v1/auth/login), passes accessToken,
and namespace permissions keep one team's token out of another team's services."""
import os
import socket
import sys

import nacos
import pytest
from nacos.exception import NacosException

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import auth_admin  # noqa: E402
import vitals_server  # noqa: E402


@pytest.fixture(scope="module")
def auth_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, _ = vitals_server.start(
        port, ["--grpc-port", "0", "--auth"], env={"VITALS_AUTH_ADMIN_PASSWORD": auth_admin.ADMIN_PASSWORD})
    auth_admin.setup_teams(port)
    yield port
    vitals_server.stop(process)


def test_without_credentials_writes_are_refused_with_403(auth_server):
    client = nacos.NacosClient(f"127.0.0.1:{auth_server}")
    with pytest.raises(NacosException):
        client.add_naming_instance("auth.open", "127.0.0.1", 18101)
    status, body = auth_admin.call(auth_server, "POST", "/nacos/v1/ns/instance",
                                   {"serviceName": "auth.open", "ip": "127.0.0.1", "port": "18101"})
    assert status == 403 and "accessToken" in body
    status, body = auth_admin.call(auth_server, "POST", "/nacos/v2/ns/instance",
                                   {"serviceName": "auth.open", "ip": "127.0.0.1", "port": "18101"})
    assert status == 403 and '"code":10001' in body


def test_admin_client_logs_in_and_works(auth_server):
    client = nacos.NacosClient(f"127.0.0.1:{auth_server}", username="nacos", password=auth_admin.ADMIN_PASSWORD)
    assert client.add_naming_instance("auth.admin", "127.0.0.1", 18102) is True
    hosts = client.list_naming_instance("auth.admin")["hosts"]
    assert [(h["ip"], h["port"]) for h in hosts] == [("127.0.0.1", 18102)]
    assert client.send_heartbeat("auth.admin", "127.0.0.1", 18102)["code"] == 10200
    assert client.remove_naming_instance("auth.admin", "127.0.0.1", 18102) is True


def test_wrong_password_cannot_log_in(auth_server):
    # 0.1.17 logs in from its constructor and raises the login's 403.
    with pytest.raises(Exception, match="403"):
        client = nacos.NacosClient(f"127.0.0.1:{auth_server}", username="nacos", password="wrong")
        client.add_naming_instance("auth.wrong", "127.0.0.1", 18103)
    status, _ = auth_admin.call(auth_server, "POST", "/nacos/v1/auth/login", {"username": "nacos", "password": "x"})
    assert status == 403


def test_team_token_reaches_its_namespace_only(auth_server):
    own = nacos.NacosClient(f"127.0.0.1:{auth_server}", namespace="ns-a", username="alice", password="alice-pw")
    assert own.add_naming_instance("orders", "127.0.0.1", 18104) is True
    assert [h["port"] for h in own.list_naming_instance("orders")["hosts"]] == [18104]

    other = nacos.NacosClient(f"127.0.0.1:{auth_server}", namespace="ns-b", username="alice", password="alice-pw")
    with pytest.raises(NacosException):
        other.add_naming_instance("orders", "127.0.0.1", 18105)
    with pytest.raises(NacosException):
        other.list_naming_instance("orders")

    # bob may read ns-b but not write it, and may not touch ns-a at all.
    reader = nacos.NacosClient(f"127.0.0.1:{auth_server}", namespace="ns-b", username="bob", password="bob-pw")
    assert reader.list_naming_instance("orders")["hosts"] == []
    with pytest.raises(NacosException):
        reader.add_naming_instance("orders", "127.0.0.1", 18106)
    intruder = nacos.NacosClient(f"127.0.0.1:{auth_server}", namespace="ns-a", username="bob", password="bob-pw")
    with pytest.raises(NacosException):
        intruder.remove_naming_instance("orders", "127.0.0.1", 18104)
    assert [h["port"] for h in own.list_naming_instance("orders")["hosts"]] == [18104]


def test_no_secrets_in_logs_even_at_trace_level(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        process, _ = vitals_server.start(
            port, ["--grpc-port", "0", "--auth", "--log-level", "trace"], log=log,
            env={"VITALS_AUTH_ADMIN_PASSWORD": auth_admin.ADMIN_PASSWORD})
        try:
            client = nacos.NacosClient(f"127.0.0.1:{port}", username="nacos", password=auth_admin.ADMIN_PASSWORD)
            assert client.add_naming_instance("auth.logs", "127.0.0.1", 18107) is True
            token = client.token
            auth_admin.call(port, "POST", "/nacos/v1/auth/login", {"username": "nacos", "password": "typo-secret"})
            auth_admin.call(port, "POST", "/nacos/v1/auth/users",
                            {"username": "zed", "password": "zed-secret-pw"}, token)
        finally:
            vitals_server.stop(process)
    text = log_path.read_text()
    assert "auth enabled" in text  # the log was captured
    for secret in (auth_admin.ADMIN_PASSWORD, "typo-secret", "zed-secret-pw", token):
        assert secret not in text
