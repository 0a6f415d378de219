"""Storage faults: the data directory fills up while the server runs, then space returns; then the
server is started on a read-only data directory. Shows that

- persistent writes (v1/v2 instance registration, deregistration, service create, cluster update)
  made while the disk is full are either acknowledged and durable, or refused with a clear error
  (5xx naming the storage problem), never a false acknowledgement;
- the `storage.writable` check turns critical on /ext/health (and /readyz fails) while writes fail;
- the server keeps running and serving reads and ephemeral instances;
- after space returns, writes succeed again and the check passes again, without a restart;
- after a restart every acknowledged write is there and no refused one is;
- on a read-only data directory the server refuses to start with a clear message.

The data directory is a small tmpfs, mounted in a private mount namespace (`unshare`; as root or
through a user namespace), so nothing outside this script sees it and it goes away with it.
Prints: writes tried, acknowledged, refused, acknowledged-but-lost (must be 0), refused-but-stored
(must be 0), and how long the check took to turn and to recover.

Usage: storage_faults.py VITALS_BIN    (loopback only; bounded, about 30 s)"""
import errno
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

NAMESPACE_FLAG = "VITALS_STORAGE_FAULTS_IN_NAMESPACE"
TMPFS_SIZE = "4m"


def enter_private_mount_namespace():
    """Re-runs this script in a private mount namespace, so the tmpfs is ours alone."""
    if os.environ.get(NAMESPACE_FLAG) or not shutil.which("unshare"):
        return
    for prefix in (["unshare", "--mount", "--propagation", "private"], ["unshare", "--map-root-user", "--mount"]):
        if subprocess.run(prefix + ["true"], capture_output=True).returncode == 0:
            os.environ[NAMESPACE_FLAG] = "1"
            sys.stdout.flush()
            os.execvp(prefix[0], prefix + [sys.executable, *sys.argv])


enter_private_mount_namespace()
binary = os.path.abspath(sys.argv[1])
workdir = tempfile.mkdtemp(prefix="vitals-storage-faults-")
data = os.path.join(workdir, "data")
os.mkdir(data)
mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", data],
                       capture_output=True, text=True)
if mount.returncode != 0:
    print(f"storage faults: SKIPPED, cannot mount a small tmpfs here (needs root or user namespaces): "
          f"{mount.stderr.strip()}")
    sys.exit(0)

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
log_path = os.path.join(workdir, "server.log")
log = open(log_path, "ab")
failures = []


def fail(text):
    failures.append(text)
    print("  FAIL", text)


def start():
    process, _ = vitals_server.start(port, ["--grpc-port", "0"], binary=binary, data=workdir, log=log)
    return process


def request(method, path, query=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        connection.request(method, target, headers={"Content-Length": "0"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def storage_check():
    """(HTTP status of /ext/health, the storage.writable entry)."""
    status, body = request("GET", "/ext/health")
    return status, json.loads(body)["checks"]["storage.writable"]


def wait_for(predicate, limit):
    """Polls `predicate` until it holds or `limit` seconds pass; returns the seconds taken or None."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.25)
    return None


SERVICE = "faults"
PAD = "x" * 900  # about 1 KB of metadata per instance, so writes need new pages

# Every persistent write and what became of it. Instance keys are ports; the expected final
# state of a port is the last acknowledged write to it (registered or deregistered).
tried = acknowledged = refused = 0
expected = {}  # port -> True (registered) / False (absent), from acknowledged writes
refused_ports = set()  # ports whose only writes were refused
refusals = {}  # "status: message" -> count


def clear_refusal(status, body):
    """A refused write must be a 5xx naming the storage problem (v1 text or v2 envelope)."""
    text = body
    try:
        text = json.loads(body).get("data", body) if body.startswith("{") else body
    except (ValueError, AttributeError):
        pass
    words = ("disk is full", "storage", "read-only", "readonly")
    return 500 <= status < 600 and any(word in str(text).lower() for word in words)


def write(method, path, query, on_ack=None, on_refuse=None):
    global tried, acknowledged, refused
    tried += 1
    status, body = request(method, path, query)
    ok_body = body == "ok" or (body.startswith("{") and json.loads(body).get("code") == 0)
    if status == 200 and ok_body:
        acknowledged += 1
        if on_ack:
            on_ack()
        return True
    if clear_refusal(status, body):
        refused += 1
        key = f"{status}: {body[:160]}"
        refusals[key] = refusals.get(key, 0) + 1
        if on_refuse:
            on_refuse()
        return False
    fail(f"{method} {path} {query.get('port', '')}: unclear answer {status} {body[:200]!r}")
    return False


def register(port_number, version="v1"):
    query = {"serviceName": SERVICE, "ip": "127.0.0.1", "port": port_number, "ephemeral": "false",
             "metadata": json.dumps({"pad": PAD})}

    def ack():
        expected[port_number] = True
        refused_ports.discard(port_number)

    def refuse():
        if port_number not in expected:
            refused_ports.add(port_number)

    return write("POST", f"/nacos/{version}/ns/instance", query, ack, refuse)


def deregister(port_number):
    query = {"serviceName": SERVICE, "ip": "127.0.0.1", "port": port_number, "ephemeral": "false"}
    return write("DELETE", "/nacos/v1/ns/instance", query, lambda: expected.__setitem__(port_number, False))


def listed_ports():
    status, body = request("GET", "/nacos/v1/ns/instance/list", {"serviceName": SERVICE})
    if status != 200:
        return None
    return {host["port"] for host in json.loads(body)["hosts"]}


def verify_registry(when):
    """Memory (and, after a restart, the disk) holds exactly the acknowledged state."""
    ports = listed_ports()
    if ports is None:
        fail(f"{when}: cannot list instances")
        return 0, 0
    lost = sorted(p for p, present in expected.items() if present and p not in ports)
    resurrected = sorted(p for p, present in expected.items() if not present and p in ports)
    stored_refused = sorted(p for p in refused_ports if p in ports)
    if lost:
        fail(f"{when}: {len(lost)} acknowledged registrations missing, e.g. {lost[:5]}")
    if resurrected:
        fail(f"{when}: {len(resurrected)} acknowledged deregistrations undone, e.g. {resurrected[:5]}")
    if stored_refused:
        fail(f"{when}: {len(stored_refused)} refused registrations present, e.g. {stored_refused[:5]}")
    return len(lost) + len(resurrected), len(stored_refused)


def fill_disk():
    """Fills the tmpfs to the last byte; returns the filler's size."""
    path = os.path.join(data, "filler")
    size = 0
    with open(path, "wb", buffering=0) as filler:
        for chunk in (1 << 16, 4096, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    written = filler.write(block)
                    size += written
                    if written < chunk:
                        break
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
    return size


process = start()
try:
    # 1. Normal operation: a service with a cluster setting and a few persistent instances.
    write("POST", "/nacos/v1/ns/service", {"serviceName": SERVICE, "protectThreshold": "0"})
    write("PUT", "/nacos/v1/ns/cluster", {"serviceName": SERVICE, "clusterName": "DEFAULT", "checkPort": "1",
                                          "useInstancePort4Check": "true", "healthChecker": json.dumps({"type": "NONE"})})
    for number in range(1000, 1010):
        register(number)
    if acknowledged != tried:
        fail(f"before the fault: {tried - acknowledged} of {tried} writes not acknowledged")
    status, check = storage_check()
    if status != 200 or "error" in check:
        fail(f"before the fault: storage.writable is not passing: {check}")

    # 2. The disk fills up. Keep writing: new registrations (v1 and v2), deregistrations,
    # a new service, a cluster update. Each is acknowledged (and then durable) or refused clearly.
    filler_size = fill_disk()
    full_began = time.monotonic()
    refused_before = refused
    for number in range(2000, 2120):
        register(number, "v1" if number % 2 else "v2")
    for number in range(1000, 1005):
        deregister(number)
    new_service_acked = write("POST", "/nacos/v1/ns/service", {"serviceName": SERVICE + "-new"})
    write("PUT", "/nacos/v1/ns/cluster", {"serviceName": SERVICE, "clusterName": "DEFAULT", "checkPort": "2",
                                          "useInstancePort4Check": "true", "healthChecker": json.dumps({"type": "NONE"})})
    refused_while_full = refused - refused_before
    if refused_while_full == 0:
        fail("the disk was full but no write was refused: the fault was not simulated")
    # Ephemeral instances live in memory and keep working.
    ephemeral_status, _ = request("POST", "/nacos/v1/ns/instance",
                                  {"serviceName": SERVICE + "-eph", "ip": "127.0.0.1", "port": "1"})
    if ephemeral_status != 200:
        fail(f"ephemeral registration while the disk is full answered {ephemeral_status}")
    verify_registry("while full (memory)")

    turned = wait_for(lambda: "error" in storage_check()[1], 30)
    critical_after = time.monotonic() - full_began if turned is not None else None
    if turned is None:
        fail("storage.writable did not turn critical within 30 s of the disk filling up")
    health_status, check = storage_check()
    check_error = check.get("error", "")
    if health_status != 503:
        fail(f"/ext/health answered {health_status} while storage.writable fails (503 expected)")
    readyz_status, _ = request("GET", "/readyz")
    if readyz_status == 200:
        fail("/readyz passed while storage.writable fails")
    if process.poll() is not None:
        fail(f"the server exited while the disk was full (status {process.returncode})")

    # 3. Space returns: writes succeed again and the check passes again, without a restart.
    os.unlink(os.path.join(data, "filler"))
    freed_at = time.monotonic()
    writes_back = wait_for(lambda: register(3000), 15)
    if writes_back is None:
        fail("writes still fail 15 s after space returned")
    for number in range(3001, 3011):
        if not register(number):
            fail(f"registration {number} refused after space returned")
    recovered = wait_for(lambda: "error" not in storage_check()[1], 30)
    recovered_after = time.monotonic() - freed_at if recovered is not None else None
    if recovered is None:
        fail("storage.writable still failing 30 s after space returned")
    if request("GET", "/readyz")[0] != 200:
        fail("/readyz still failing after space returned")
    verify_registry("after recovery (memory)")

    # 4. Restart: the disk holds exactly what was acknowledged.
    process.terminate()
    exit_status = process.wait(timeout=20)
    if exit_status != 0:
        fail(f"the server exited with status {exit_status} on SIGTERM")
    process = start()
    lost, stored_refused = verify_registry("after a restart (disk)")
    service_status, _ = request("GET", "/nacos/v1/ns/service", {"serviceName": SERVICE + "-new"})
    if (service_status == 200) != new_service_acked:
        fail(f"service created while full: answered {'ok' if new_service_acked else 'refused'}, "
             f"{'present' if service_status == 200 else 'absent'} after a restart")

    # 5. A read-only data directory: the server refuses to start and says why.
    process.terminate()
    process.wait(timeout=20)
    # The mount's own read-only flag (a bind remount): allowed in a user namespace too.
    subprocess.run(["mount", "-o", "remount,bind,ro", data], check=True)
    readonly = subprocess.run([binary, "serve", "--port", str(port), "--grpc-port", "0", "--data-dir", data,
                               "--shutdown-grace", "0s"], capture_output=True, text=True, timeout=30)
    readonly_message = (readonly.stderr.strip().splitlines() or [""])[-1]
    if readonly.returncode == 0 or "read-only" not in readonly.stderr.lower():
        fail(f"on a read-only data directory: exit {readonly.returncode}, message {readonly_message!r} "
             "(a non-zero exit naming the read-only directory expected)")
    subprocess.run(["mount", "-o", "remount,bind,rw", data], check=True)
    process = start()
    verify_registry("after the read-only start (disk)")
finally:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)
    log.close()
    subprocess.run(["umount", "-l", data], capture_output=True)

with open(log_path, errors="replace") as handle:
    crashes = [line for line in handle if "Fatal error" in line or "Crash" in line or "SIGBUS" in line]
shutil.rmtree(workdir, ignore_errors=True)
if crashes:
    fail(f"the server log shows a crash: {crashes[0].strip()}")

print(f"storage faults ({TMPFS_SIZE} tmpfs, {filler_size // 1024} KiB filler): {tried} persistent writes tried, "
      f"{acknowledged} acknowledged, {refused} refused ({refused_while_full} while full), "
      f"{lost} acknowledged lost, {stored_refused} refused but stored")
for text, count in sorted(refusals.items()):
    print(f"  refused {count}x: {text}")
print(f"  storage.writable critical {critical_after:.1f} s after the disk filled: {check_error}"
      if critical_after is not None else "  storage.writable never turned critical")
print(f"  writes acknowledged again {writes_back:.1f} s and the check passing {recovered_after:.1f} s after space returned"
      if writes_back is not None and recovered_after is not None else "  no recovery")
print(f"  service create while full: {'acknowledged' if new_service_acked else 'refused'}, "
      f"{'present' if service_status == 200 else 'absent'} after a restart")
print(f"  read-only data directory: exit {readonly.returncode}: {readonly_message}")
for failure in failures:
    print("  FAIL", failure)
sys.exit(1 if failures else 0)
