"""Shared helpers of the benchmark suite (python3 stdlib only): processes, CPU and memory from
/proc, wrk, the peers' configs. Everything binds 127.0.0.1 and every run is bounded in time."""
import http.client as httpclient
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Fixed ports below the ephemeral range (32768+), so outgoing connections never collide with them.
VITALS_PORT, VITALS_GRPC_PORT = 10848, 11848  # Nacos SDKs dial the HTTP port + 1000 for gRPC
NGINX_STATIC_PORT, NGINX_STATUS_PORT = 10080, 10081
ETCD_PORT, ETCD_PEER_PORT = 10379, 10380
BLACKBOX_PORT = 10115
DETECT_TARGET_BASE = 11000
TARGET_BASE = 12000
# This machine's hard limit on open files per process is 20,000: one process cannot hold a
# connection to each of 20,000 targets. Checks beyond this many share target addresses.
MAX_TARGETS = 5000
TARGETS_PER_NGINX = 1000


def log(message):
    print(message, flush=True)


class Processes:
    """Every process the suite starts, stopped (by pid) on exit."""

    def __init__(self):
        self.running = []

    def start(self, args, name, ports=(), **kwargs):
        """Starts a process; each of `ports` must be free first (another process may not answer for it)."""
        for port in ports:
            ensure_port_free(port)
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        process = subprocess.Popen(args, **kwargs)
        process.bench_name = name
        self.running.append(process)
        return process

    def stop(self, process, sig=signal.SIGTERM, timeout=15):
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in list(reversed(self.running)):
            try:
                self.stop(process, timeout=5)
            except Exception:  # noqa: BLE001 - best effort at exit
                pass


def ensure_port_free(port):
    import socket
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((HOST, port)) == 0:
            raise RuntimeError(f"port {port} on {HOST} is already in use by another process")


def ensure_alive(process):
    if process.poll() is not None:
        raise RuntimeError(f"{process.bench_name} exited with status {process.returncode}")


def cpu_seconds(pid):
    """utime + stime of one process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu(pid):
    """{tid: (thread name, cpu seconds)} of one process."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as handle:
                head, tail = handle.read().rsplit(")", 1)
            fields = tail.split()
            threads[tid] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / CLK_TCK)
        except OSError:
            continue
    return threads


def cpu_of(pids):
    return sum(cpu_seconds(pid) for pid in pids)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def children(pid):
    """Direct children (nginx workers under their master)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def http(method, url, body=None, headers=None, timeout=10):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(predicate, timeout, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def wait_http_ok(url, timeout=30, what=None):
    wait_until(lambda: http("GET", url, timeout=2)[0] == 200, timeout, what=what or url)


# --- Vitals ---------------------------------------------------------------------------------

def start_vitals(procs, binary, data_dir, config_text="", port=VITALS_PORT, grpc_port=VITALS_GRPC_PORT,
                 ready=None):
    """Starts `vitals serve`; waits for readiness, or for `ready()` to be true when given."""
    os.makedirs(data_dir, exist_ok=True)
    config = os.path.join(data_dir, "vitals.yaml")
    with open(config, "w") as handle:
        handle.write(config_text)
    process = procs.start(
        [binary, "serve", "--port", str(port), "--grpc-port", str(grpc_port), "--data-dir",
         os.path.join(data_dir, "data"), "--config", config, "--log-level", "error", "--shutdown-grace", "0s"],
        "vitals", ports=(port, grpc_port))
    if ready:
        wait_until(ready, timeout=120, interval=0.01, what="vitals serving")
    else:
        wait_http_ok(f"http://{HOST}:{port}/ext/health/readiness", timeout=120, what="vitals readiness")
    ensure_alive(process)
    return process


def scheduler_metrics(port=VITALS_PORT, engine="registry"):
    """The registry engine's scheduler figures from /metrics."""
    status, body = http("GET", f"http://{HOST}:{port}/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    figures = {}
    for line in body.decode().splitlines():
        match = re.match(r'(vitals_scheduler_\w+)\{engine="(\w+)"(?:,quantile="([\d.]+)")?\} (\S+)', line)
        if match and match.group(2) == engine:
            key = match.group(1) + (f"_q{match.group(3)}" if match.group(3) else "")
            figures[key] = float(match.group(4))
    if "vitals_scheduler_lateness_seconds_q0.99" not in figures:
        raise RuntimeError("/metrics has no vitals_scheduler_lateness_seconds for the registry engine")
    return figures


def register_instances(port, count, make, threads=8):
    """Registers `count` instances over keep-alive HTTP; make(i) -> dict of v1 query parameters."""
    failures = []

    def work(offset):
        try:
            connection = httpclient.HTTPConnection(HOST, port, timeout=60)
            for index in range(offset, count, threads):
                query = urllib.parse.urlencode(make(index))
                connection.request("POST", "/nacos/v1/ns/instance?" + query, headers={"Content-Length": "0"})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    failures.append(body[:200])
            connection.close()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))

    start = time.monotonic()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - start
    if failures:
        raise RuntimeError(f"{len(failures)} of {count} registrations failed, first: {failures[0]!r}")
    return count / elapsed


def seed_persistent(procs, binary, data_dir, config_text, count, make):
    """Writes `count` persistent instances straight into a fresh data directory's SQLite store,
    each a copy of one instance the server itself registered and stored (so the rows are in the
    server's own format); make(i) -> (service, ip, port, metadata). Registering them over HTTP
    while their checks start would take minutes: the checks take the CPU the API needs."""
    import sqlite3
    template = start_vitals(procs, binary, data_dir, config_text)
    status, body = http("POST", f"http://{HOST}:{VITALS_PORT}/nacos/v1/ns/instance?serviceName=seed&ip=127.0.0.1"
                        "&port=1&ephemeral=false", body=b"")
    if status != 200:
        raise RuntimeError(f"template registration failed: {body!r}")
    procs.stop(template)
    db = sqlite3.connect(os.path.join(data_dir, "data", "registry.sqlite"))
    db.row_factory = sqlite3.Row
    template_row, = db.execute("SELECT * FROM instance").fetchall()
    (service_body,), = db.execute("SELECT body FROM service").fetchall()
    stored, service_body = dict(template_row), json.loads(service_body)
    db.execute("DELETE FROM instance")
    db.execute("DELETE FROM service")
    columns = list(stored)
    services, rows = set(), []
    for index in range(count):
        service, ip, port, metadata = make(index)
        stored.update(service=service, ip=ip, port=port, metadata=metadata_text(metadata))
        rows.append(tuple(stored[column] for column in columns))
        services.add(service)
    db.executemany(f"INSERT INTO instance ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    for service in services:
        service_body["key"]["name"] = service
        db.execute("INSERT INTO service VALUES (?, ?, ?, ?)", (stored["namespace"], stored["grp"], service,
                                                              json.dumps(service_body)))
    db.commit()
    db.close()


def metadata_text(metadata):
    """Instance metadata in the store's text form (Sources/SQLiteStore/MetadataText.swift)."""
    def escape(text):
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\e").replace("\0", "\\0")
    return "\n".join(f"{escape(key)}={escape(value)}" for key, value in sorted(metadata.items()))


def instance_count(port=VITALS_PORT):
    status, body = http("GET", f"http://{HOST}:{port}/nacos/v2/ns/operator/metrics?onlyStatus=false", timeout=2)
    return json.loads(body)["data"]["instanceCount"] if status == 200 else -1


# --- wrk ------------------------------------------------------------------------------------

def parse_duration_ms(text):
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url, seconds, connections, threads=2, script=None, timeout="5s"):
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", timeout]
    if script:
        args += ["-s", script]
    output = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rps or not p99 or not total or int(total.group(1)) == 0:
        raise RuntimeError(f"wrk gave no figures for {url}:\n{output}")
    return {
        "rps": float(rps.group(1)), "p99_ms": parse_duration_ms(p99.group(1)),
        "requests": int(total.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


LUA_BASE64 = r"""
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function b64(data)
    return ((data:gsub('.', function(x)
        local r, b = '', x:byte()
        for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and '1' or '0') end
        return r
    end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
        if #x < 6 then return '' end
        local c = 0
        for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
        return b64chars:sub(c + 1, c + 1)
    end) .. ({'', '==', '='})[#data % 3 + 1])
end
"""


def write(path, text):
    with open(path, "w") as handle:
        handle.write(text)
    return path


# --- nginx ----------------------------------------------------------------------------------

def start_nginx(procs, workdir, name, listen_ports, workers=1, status_port=None, connections=8192):
    """One nginx answering 200 "ok" on every port in listen_ports (127.0.0.1 only)."""
    prefix = os.path.join(workdir, name)
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    listens = "\n".join(f"        listen {HOST}:{port} backlog=4096;" for port in listen_ports)
    status = (f"    server {{ listen {HOST}:{status_port}; location / {{ stub_status; }} }}\n"
              if status_port else "")
    config = f"""daemon off;
master_process on;
worker_processes {workers};
worker_rlimit_nofile 19000;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log crit;
events {{ worker_connections {connections}; multi_accept on; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
{listens}
        location / {{ default_type text/plain; return 200 "ok"; }}
    }}
{status}}}
"""
    path = write(os.path.join(prefix, "nginx.conf"), config)
    ports = list(listen_ports[:1]) + ([status_port] if status_port else [])
    process = procs.start(["nginx", "-c", path, "-p", prefix], f"nginx-{name}", ports=ports)
    wait_http_ok(f"http://{HOST}:{ports[0]}/", timeout=30, what=f"nginx {name}")
    ensure_alive(process)
    return process


def nginx_pids(processes):
    pids = []
    for process in processes:
        pids.append(process.pid)
        pids += children(process.pid)
    return pids


def nginx_requests(status_port):
    """Total requests nginx handled, from stub_status (a single nginx with the status server)."""
    _, body = http("GET", f"http://{HOST}:{status_port}/")
    lines = body.decode().splitlines()
    return int(lines[2].split()[2])


class TargetFarm:
    """nginx processes serving `targets` ports from TARGET_BASE, TARGETS_PER_NGINX ports each.
    Requests are counted by one stub_status per nginx (ports NGINX_STATUS_PORT + i*?)."""

    def __init__(self, procs, workdir, targets):
        self.procs = procs
        self.targets = targets
        self.processes = []
        self.status_ports = []
        for index, start in enumerate(range(0, targets, TARGETS_PER_NGINX)):
            ports = [TARGET_BASE + p for p in range(start, min(targets, start + TARGETS_PER_NGINX))]
            status_port = 10200 + index
            self.status_ports.append(status_port)
            self.processes.append(start_nginx(procs, workdir, f"targets{index}", ports, status_port=status_port))

    def pids(self):
        return nginx_pids(self.processes)

    def requests(self):
        return sum(nginx_requests(port) for port in self.status_ports)

    def stop(self):
        for process in self.processes:
            self.procs.stop(process, sig=signal.SIGQUIT)


def new_workdir():
    return tempfile.mkdtemp(prefix="vitals-bench-")
