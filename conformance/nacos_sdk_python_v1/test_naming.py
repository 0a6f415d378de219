"""nacos-sdk-python 0.1.17 (HTTP v1 client) against Vitals, call by call."""
import threading
import time

import nacos
import pytest
from nacos.listener import SubscribeListener


def wait_until(condition, seconds=10.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture()
def client(server):
    client = nacos.NacosClient(server)
    yield client
    client.stop_subscribe()


def hosts(client, service, **kwargs):
    return client.list_naming_instance(service, **kwargs)["hosts"]


def test_register_list_get_modify_deregister(client):
    assert client.add_naming_instance("conf.crud", "127.0.0.1", 18001, metadata={"zone": "a"}) is True
    listed = hosts(client, "conf.crud")
    assert [(h["ip"], h["port"], h["healthy"]) for h in listed] == [("127.0.0.1", 18001, True)]
    assert listed[0]["metadata"] == {"zone": "a"}

    detail = client.get_naming_instance("conf.crud", "127.0.0.1", 18001)
    assert detail["ip"] == "127.0.0.1" and detail["port"] == 18001
    assert detail["service"] == "DEFAULT_GROUP@@conf.crud"

    assert client.modify_naming_instance("conf.crud", "127.0.0.1", 18001, weight=5, metadata={"zone": "b"}) is True
    detail = client.get_naming_instance("conf.crud", "127.0.0.1", 18001)
    assert detail["weight"] == 5
    assert detail["metadata"] == {"zone": "b"}

    assert client.remove_naming_instance("conf.crud", "127.0.0.1", 18001) is True
    assert hosts(client, "conf.crud") == []


def test_healthy_only_and_groups(client):
    assert client.add_naming_instance("conf.groups", "127.0.0.1", 18002, group_name="TEAM_A") is True
    assert hosts(client, "conf.groups") == []
    assert len(hosts(client, "conf.groups", group_name="TEAM_A", healthy_only=True)) == 1


def test_send_heartbeat(client):
    assert client.add_naming_instance("conf.beat", "127.0.0.1", 18003) is True
    reply = client.send_heartbeat("conf.beat", "127.0.0.1", 18003)
    assert reply["code"] == 10200
    assert reply["clientBeatInterval"] == 5000
    # A beat for an unknown instance carries the instance, so it registers it.
    reply = client.send_heartbeat("conf.beat", "127.0.0.1", 18004, metadata={"from": "beat"})
    assert reply["code"] == 10200
    assert {h["port"] for h in hosts(client, "conf.beat")} == {18003, 18004}


def test_heartbeat_thread_keeps_an_instance_alive(client, server):
    short = {
        "preserved.heart.beat.interval": "300",
        "preserved.heart.beat.timeout": "900",
        "preserved.ip.delete.timeout": "1800",
    }
    assert client.add_naming_instance("conf.alive", "127.0.0.1", 18005, metadata=short,
                                      heartbeat_interval=0.3) is True
    # An instance without a beat thread, same timeouts, for contrast.
    other = nacos.NacosClient(server)
    assert other.add_naming_instance("conf.alive", "127.0.0.1", 18006, metadata=short) is True
    assert wait_until(lambda: {h["port"] for h in hosts(client, "conf.alive")} == {18005})
    time.sleep(1.5)
    alive = hosts(client, "conf.alive")
    assert [(h["port"], h["healthy"]) for h in alive] == [(18005, True)]
    assert client.remove_naming_instance("conf.alive", "127.0.0.1", 18005) is True


def test_subscribe_sees_added_and_deleted_instances(client):
    events = []
    seen = threading.Event()

    def on_change(event, instance):
        events.append((event, instance.instance["port"]))
        seen.set()

    assert client.add_naming_instance("conf.sub", "127.0.0.1", 18010) is True
    client.subscribe([SubscribeListener(on_change, "watcher")], 0.2, "conf.sub")
    time.sleep(0.6)  # the client's first poll only primes its cache
    assert client.add_naming_instance("conf.sub", "127.0.0.1", 18011) is True
    assert wait_until(lambda: ("ADDED", 18011) in [(str(e).split(".")[-1], p) for e, p in events])
    assert client.remove_naming_instance("conf.sub", "127.0.0.1", 18010) is True
    assert wait_until(lambda: ("DELETED", 18010) in [(str(e).split(".")[-1], p) for e, p in events])
    client.unsubscribe("conf.sub")
