"""Crash test: persistent registrations, updates, deletes and cluster settings are written as fast
as possible while the server is killed with SIGKILL at random moments and restarted. At the end
every acknowledged write must be there, and every stored record must be one that was written
whole (no half-applied write).

Each writer thread owns its own services and ports, and sends one request at a time, so for every
key the durable state must be the last acknowledged one, or the result of the one request that
was in flight when the server died.

Usage: crash_test.py VITALS_BIN [writes] [kills]    (loopback only; bounded by the write count)"""
import http.client
import json
import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

binary = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
kills = int(sys.argv[3]) if len(sys.argv) > 3 else 5
threads_count = 6
data = tempfile.mkdtemp(prefix="vitals-crash-")

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]


def start():
    process, _ = vitals_server.start(port, ["--grpc-port", "0"], binary=binary, data=data, quiet=True)
    return process


def weight_of(version):
    return float(version % 100 + 1)


lock = threading.Lock()
sent = [0]
acknowledged_count = [0]
# key -> allowed final states; a state is None (absent) or an int version. Instance keys are
# ("i", service, port); cluster keys ("c", service) with check ports as states.
acked = {}
in_flight = {}


def call(connection, method, path, query):
    connection.request(method, path + "?" + urllib.parse.urlencode(query), headers={"Content-Length": "0"})
    response = connection.getresponse()
    return response.status, response.read()


def writer(index):
    rng = random.Random(index)
    connection = None
    while True:
        with lock:
            if sent[0] >= total:
                return
            sent[0] += 1
            version = sent[0]
        service = f"crash-{index}-{rng.randrange(5)}"
        action = rng.random()
        if action < 0.9:
            key = ("i", service, 1000 + rng.randrange(200))
            if action < 0.7:
                method, state = "POST", version
                query = {"serviceName": service, "ip": "127.0.0.1", "port": key[2], "ephemeral": "false",
                         "weight": weight_of(version), "metadata": json.dumps({"version": str(version)})}
            else:
                method, state = "DELETE", None
                query = {"serviceName": service, "ip": "127.0.0.1", "port": key[2], "ephemeral": "false"}
            path = "/nacos/v1/ns/instance"
        else:
            key = ("c", service)
            method, state, path = "PUT", 2000 + version % 1000, "/nacos/v1/ns/cluster"
            query = {"serviceName": service, "clusterName": "DEFAULT", "checkPort": state,
                     "useInstancePort4Check": "false", "healthChecker": json.dumps({"type": "NONE"})}
        in_flight[key] = state
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, body = call(connection, method, path, query)
        except (OSError, http.client.HTTPException):
            connection = None  # the server died: this write may or may not have been applied
            time.sleep(0.05)
            continue
        if status == 200 and body == b"ok":
            acked[key] = state
            in_flight.pop(key, None)
            with lock:
                acknowledged_count[0] += 1
        else:
            in_flight.pop(key, None)  # refused (e.g. cluster of a missing service): nothing applied


def verify():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    services = {key[1] for key in list(acked) + list(in_flight)}
    stored = {}
    stored_clusters = {}
    for service in services:
        status, body = call(connection, "GET", "/nacos/v1/ns/instance/list", {"serviceName": service})
        for host in json.loads(body)["hosts"]:
            stored[("i", service, host["port"])] = host
        status, body = call(connection, "GET", "/nacos/v1/ns/catalog/service", {"serviceName": service})
        if status == 200:
            for cluster in json.loads(body)["clusters"]:
                if cluster["name"] == "DEFAULT":
                    stored_clusters[("c", service)] = cluster["defaultCheckPort"]
    checked = lost = half = 0
    for key in set(acked) | set(in_flight):
        allowed = {acked.get(key)} if key in acked else {None}
        if key in in_flight:
            allowed.add(in_flight[key])
        if key[0] == "i":
            host = stored.get(key)
            if host is None:
                actual = None
            else:
                version = int(host["metadata"].get("version", "-1"))
                if host["weight"] != weight_of(version):
                    half += 1
                actual = version
        else:
            actual = stored_clusters.get(key)
            if key not in acked and actual is None:
                allowed.add(None)
            if actual == 80 and None in allowed:
                actual = None  # a service without explicit cluster settings shows the default port
        if key in acked:
            checked += 1
        if actual not in allowed:
            lost += 1
    return checked, lost, half


process = start()
workers = [threading.Thread(target=writer, args=(index,)) for index in range(threads_count)]
for worker in workers:
    worker.start()
rng = random.Random(7)
for _ in range(kills):
    time.sleep(rng.uniform(0.3, 1.2))
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process = start()
for worker in workers:
    worker.join()
os.kill(process.pid, signal.SIGKILL)
process.wait()
process = start()
checked, lost, half = verify()
process.terminate()
process.wait()
print(f"crash test: {sent[0]} writes sent, {acknowledged_count[0]} acknowledged, {kills} kill -9 restarts "
      f"plus a final one; {checked} acknowledged keys checked, {lost} lost, {half} half-applied")
sys.exit(0 if lost == 0 and half == 0 else 1)
