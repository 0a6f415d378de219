"""The benchmark suite: Vitals beside its peers (nginx, etcd, HAProxy, blackbox_exporter) on
127.0.0.1, every figure a ratio taken in the same run. Started by bench/suite.sh, which installs
the peers and builds Vitals. Writes results JSON; bench/report.py turns it into the table.

Usage: suite.py VITALS_BIN RESULTS_JSON [--short] [--only SECTION,...]"""
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
import urllib.parse

import benchlib as b
from benchlib import HOST, log

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SHORT = "--short" in sys.argv
ONLY = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
VITALS, RESULTS_PATH = ARGS[0], ARGS[1]
VENV_PYTHON = os.path.join(b.ROOT, "conformance/.venv-v3/bin/python")

if SHORT:
    WRK_SECONDS, WRK_CONNECTIONS = 1, 8
    CHECK_COUNTS, CHECK_WARM, CHECK_WINDOW = [200], 1.5, 2
    SCALE_COUNTS, SCALE_WRK_SECONDS = [300, 1000], 1
    DETECT_TARGETS, PUSH_SAMPLES, ENGINE_ARGS = 3, 10, None
else:
    WRK_SECONDS, WRK_CONNECTIONS = 10, 64
    CHECK_COUNTS, CHECK_WARM, CHECK_WINDOW = [1000, 5000, 20000], 4, 10
    SCALE_COUNTS, SCALE_WRK_SECONDS = [1000, 10000, 100000], 3
    DETECT_TARGETS, PUSH_SAMPLES, ENGINE_ARGS = 30, 200, ["100000", "10", "5"]

# Overrides for a partial rerun, e.g. BENCH_SCALE_COUNTS=100000 bench/suite.sh --only=scale
if os.environ.get("BENCH_CHECK_COUNTS"):
    CHECK_COUNTS = [int(c) for c in os.environ["BENCH_CHECK_COUNTS"].split(",")]
if os.environ.get("BENCH_SCALE_COUNTS"):
    SCALE_COUNTS = [int(c) for c in os.environ["BENCH_SCALE_COUNTS"].split(",")]

KEEP = {"preserved.heart.beat.timeout": "86400000", "preserved.ip.delete.timeout": "86400000"}
REGISTRY_CONFIG = "registry:\n  beatTimeout: 86400s\n  deleteTimeout: 86400s\n  protectThreshold: false\n"

procs = b.Processes()
results = {"short": SHORT, "started": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
           "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                        if line.startswith("model name")), platform.processor()),
           "failures": []}


def save():
    with open(RESULTS_PATH, "w") as handle:
        json.dump(results, handle, indent=1)


def versions():
    def first_line(args):
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    results["versions"] = {
        "nginx": first_line(["nginx", "-v"]), "haproxy": first_line(["haproxy", "-v"]),
        "etcd": first_line(["etcd", "--version"]),
        "blackbox_exporter": first_line(["prometheus-blackbox-exporter", "--version"]),
        "wrk": first_line(["wrk", "-v"]), "swift": first_line(["swift", "--version"]),
    }


# --- 1. API throughput -------------------------------------------------------------------------

def section_api(work):
    api = results.setdefault("api", {})
    base = f"http://{HOST}:{b.VITALS_PORT}"
    vitals = b.start_vitals(procs, VITALS, os.path.join(work, "api"), REGISTRY_CONFIG)
    keep = urllib.parse.quote(json.dumps(KEEP))
    for i in range(1, 101):
        for service, limit in (("list10", 10), ("list100", 100)):
            if i <= limit:
                status, body = b.http("POST", f"{base}/nacos/v1/ns/instance?serviceName={service}&ip=127.0.0.1"
                                      f"&port={7000 + i}&metadata={keep}", body=b"")
                assert status == 200, body
    put = b.write(os.path.join(work, "put.lua"), 'wrk.method = "PUT"\n')
    register = b.write(os.path.join(work, "register.lua"), """
local counter = 0
request = function()
    counter = counter + 1
    local port = 1024 + (counter % 60000)
    local ip = "127.1." .. (math.floor(counter / 60000) % 250) .. "." .. math.random(0, 250)
    local body = "serviceName=register&ip=" .. ip .. "&port=" .. port
    return wrk.format("POST", "/nacos/v2/ns/instance", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
""")
    routes = [
        ("vitals_ping", f"{base}/vitals/ping", None),
        ("vitals_beat", f"{base}/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40list10&ip=127.0.0.1&port=7001", put),
        ("vitals_list10", f"{base}/nacos/v1/ns/instance/list?serviceName=list10", None),
        ("vitals_list100", f"{base}/nacos/v1/ns/instance/list?serviceName=list100", None),
        ("vitals_health", f"{base}/nacos/v2/ns/health/instance?serviceName=list10&ip=127.0.0.1&port=7002&healthy=true", put),
        ("vitals_register", f"{base}/", register),
        ("vitals_ext_health", f"{base}/ext/health", None),
    ]
    for name, url, script in routes:
        api[name] = b.wrk(url, WRK_SECONDS, WRK_CONNECTIONS, script=script)
        log(f"  {name}: {api[name]['rps']:.0f} req/s, p99 {api[name]['p99_ms']:.1f} ms")
    api["vitals_cpu_s"] = b.cpu_seconds(vitals.pid)
    procs.stop(vitals)

    nginx = b.start_nginx(procs, work, "static", [b.NGINX_STATIC_PORT], workers=2)
    api["nginx_static"] = b.wrk(f"http://{HOST}:{b.NGINX_STATIC_PORT}/", WRK_SECONDS, WRK_CONNECTIONS)
    log(f"  nginx_static: {api['nginx_static']['rps']:.0f} req/s")
    procs.stop(nginx, sig=signal.SIGQUIT)

    section_etcd(work, api)


def section_etcd(work, api):
    data = os.path.join(work, "etcd")
    etcd = procs.start([
        "etcd", "--name", "bench", "--data-dir", data,
        "--listen-client-urls", f"http://{HOST}:{b.ETCD_PORT}", "--advertise-client-urls", f"http://{HOST}:{b.ETCD_PORT}",
        "--listen-peer-urls", f"http://{HOST}:{b.ETCD_PEER_PORT}",
        "--initial-advertise-peer-urls", f"http://{HOST}:{b.ETCD_PEER_PORT}",
        "--initial-cluster", f"bench=http://{HOST}:{b.ETCD_PEER_PORT}", "--log-level", "error"], "etcd",
        ports=(b.ETCD_PORT, b.ETCD_PEER_PORT))
    base = f"http://{HOST}:{b.ETCD_PORT}"
    b.wait_http_ok(f"{base}/health", timeout=30, what="etcd")
    b.ensure_alive(etcd)

    def call(path, body):
        status, answer = b.http("POST", base + path, body=json.dumps(body).encode())
        assert status == 200, (path, answer)
        return json.loads(answer)

    def b64(text):
        import base64
        return base64.b64encode(text.encode()).decode()

    lease = call("/v3/lease/grant", {"TTL": 86400})["ID"]
    value = b64(json.dumps({"ip": "127.0.0.1", "port": 7001, "weight": 1.0, "healthy": True, "enabled": True,
                            "ephemeral": True, "clusterName": "DEFAULT", "serviceName": "DEFAULT_GROUP@@list10",
                            "metadata": KEEP}))
    for i in range(100):
        if i < 10:
            call("/v3/kv/put", {"key": b64(f"ten/{i:04d}"), "value": value, "lease": lease})
        call("/v3/kv/put", {"key": b64(f"hundred/{i:04d}"), "value": value, "lease": lease})

    def script(name, body):
        return b.write(os.path.join(work, f"etcd-{name}.lua"),
                       f'wrk.method = "POST"\nwrk.body = [[{json.dumps(body)}]]\n'
                       'wrk.headers["Content-Type"] = "application/json"\n')

    put_lease = b.write(os.path.join(work, "etcd-register.lua"), b.LUA_BASE64 + f"""
local counter = 0
local value = "{value}"
request = function()
    counter = counter + 1
    local key = b64("register/" .. string.format("%08d", counter) .. "/" .. math.random(0, 1000000))
    local body = '{{"key":"' .. key .. '","value":"' .. value .. '","lease":"{lease}"}}'
    return wrk.format("POST", "/v3/kv/put", {{["Content-Type"] = "application/json"}}, body)
end
""")
    routes = [
        ("etcd_keepalive", "/v3/lease/keepalive", script("keepalive", {"ID": lease})),
        ("etcd_range10", "/v3/kv/range", script("range10", {"key": b64("ten/"), "range_end": b64("ten0")})),
        ("etcd_range100", "/v3/kv/range", script("range100", {"key": b64("hundred/"), "range_end": b64("hundred0")})),
        ("etcd_put", "/v3/kv/put", script("put", {"key": b64("ten/0001"), "value": value, "lease": lease})),
        ("etcd_put_lease_new", "/", put_lease),
        ("etcd_health", "/health", None),
    ]
    for name, path, lua in routes:
        api[name] = b.wrk(base + path, WRK_SECONDS, WRK_CONNECTIONS, script=lua)
        log(f"  {name}: {api[name]['rps']:.0f} req/s, p99 {api[name]['p99_ms']:.1f} ms")
    status, answer = b.http("POST", base + "/v3/kv/range",
                            body=json.dumps({"key": b64("hundred/"), "range_end": b64("hundred0"),
                                             "count_only": True}).encode())
    assert status == 200 and json.loads(answer).get("count") == "100", answer
    procs.stop(etcd)


# --- 2. Active checks ---------------------------------------------------------------------------

def measure_window(checker_pids, farm, seconds, sample=None):
    """CPU of the checker and of the targets, and the requests the targets answered, over a window."""
    cpu0, target0, requests0, t0 = b.cpu_of(checker_pids), b.cpu_of(farm.pids()), farm.requests(), time.monotonic()
    samples = []
    while time.monotonic() - t0 < seconds:
        time.sleep(min(1.0, seconds - (time.monotonic() - t0)))
        if sample:
            samples.append(sample())
    elapsed = time.monotonic() - t0
    checks = farm.requests() - requests0
    cpu, target = b.cpu_of(checker_pids) - cpu0, b.cpu_of(farm.pids()) - target0
    if checks <= 0:
        raise RuntimeError("the targets answered no check in the window")
    return {"checks_per_s": checks / elapsed, "checker_cpu_per_1k": cpu / checks * 1000,
            "target_cpu_per_1k": target / checks * 1000, "checker_cores": cpu / elapsed,
            "target_cores": target / elapsed, "samples": samples}


def target_port(index, targets):
    return b.TARGET_BASE + index % targets


def vitals_checks(work, farm, count, mode):
    # Persistent instances with a declared HTTP check, written to the store and loaded at start
    # (their cluster checks, TCP by default, are pushed an hour apart).
    data = os.path.join(work, f"checks-{count}-{mode}")
    config = REGISTRY_CONFIG + "  clusterCheckInterval: 3600s\n"
    metadata = {"vitals.check.type": "HTTP", "vitals.check.path": "/health", "vitals.check.interval": "1000",
                "vitals.check.timeout": "2000", "vitals.check.mode": mode}
    targets = farm.targets
    # Instances sharing a target address sit in different services (ip:port is unique per service).
    b.seed_persistent(procs, VITALS, data, config, count,
                      lambda i: (f"chk{i // targets}-{(i % targets) // 100}", HOST, target_port(i, targets), metadata))
    vitals = b.start_vitals(procs, VITALS, data, config, ready=lambda: b.instance_count() == count)
    time.sleep(CHECK_WARM)
    scheduler0 = b.scheduler_metrics()
    threads0 = b.thread_cpu(vitals.pid)
    result = measure_window([vitals.pid], farm, CHECK_WINDOW,
                            sample=lambda: b.scheduler_metrics()["vitals_scheduler_lateness_seconds_q0.99"])
    scheduler1 = b.scheduler_metrics()
    result["lateness_p99_ms"] = max(result.pop("samples")) * 1000
    result["runs_started_per_s"] = (scheduler1["vitals_scheduler_runs_started_total"]
                                    - scheduler0["vitals_scheduler_runs_started_total"]) / CHECK_WINDOW
    result["runs_skipped"] = scheduler1["vitals_scheduler_runs_skipped_total"] - scheduler0["vitals_scheduler_runs_skipped_total"]
    result["rss_b"] = b.rss_bytes(vitals.pid)
    # The busiest threads (name: share of one core), to tell a serial bottleneck from a full machine.
    threads1 = b.thread_cpu(vitals.pid)
    busiest = sorted(((threads1[t][1] - threads0.get(t, (None, 0))[1], threads1[t][0]) for t in threads1), reverse=True)
    result["busiest_threads"] = [f"{name} {cpu / CHECK_WINDOW:.2f}" for cpu, name in busiest[:4]]
    procs.stop(vitals)
    return result


def haproxy_checks(work, farm, count):
    # HAProxy keeps a socket slot per checked server and needs maxsock below this machine's
    # 20,000 open files: above 9,000 servers the checks are split over several processes.
    per_process = 9000
    processes = []
    for part, first in enumerate(range(0, count, per_process)):
        lines = [
            "global", "    maxconn 100", "defaults", "    mode http", "    timeout connect 2s", "    timeout check 2s",
            "    timeout client 30s", "    timeout server 30s",
            # HAProxy refuses to start without a listener; nothing is sent to this one.
            "frontend unused", f"    bind {HOST}:{10090 + part}", "    default_backend targets", "backend targets",
            "    option httpchk GET /health", "    default-server inter 1s fall 3 rise 2",
        ]
        lines += [f"    server t{i} {HOST}:{target_port(i, farm.targets)} check"
                  for i in range(first, min(count, first + per_process))]
        config = b.write(os.path.join(work, f"haproxy-{count}-{part}.cfg"), "\n".join(lines) + "\n")
        processes.append(procs.start(["haproxy", "-f", config, "-db"], "haproxy", ports=(10090 + part,)))
    time.sleep(CHECK_WARM)
    for process in processes:
        b.ensure_alive(process)
    result = measure_window([p.pid for p in processes], farm, CHECK_WINDOW)
    result.pop("samples")
    result["processes"] = len(processes)
    for process in processes:
        b.ensure_alive(process)
        procs.stop(process)
    return result


def blackbox_checks(work, farm, count):
    config = b.write(os.path.join(work, "blackbox.yml"),
                     "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n"
                     "      preferred_ip_protocol: ip4\n")
    blackbox = procs.start(["prometheus-blackbox-exporter", f"--config.file={config}",
                            f"--web.listen-address={HOST}:{b.BLACKBOX_PORT}"], "blackbox", ports=(b.BLACKBOX_PORT,))
    b.wait_http_ok(f"http://{HOST}:{b.BLACKBOX_PORT}/metrics", timeout=30, what="blackbox_exporter")
    b.ensure_alive(blackbox)
    # Open-loop pacing: request k is sent at start + k / count seconds (an absolute schedule, so
    # the rate holds whatever the latency), over enough connections to have that many in flight.
    # Little's law: rate x latency requests in flight; the exporter answers in tens of ms when loaded.
    connections = min(2000, max(8, count // 10))
    driver = b.write(os.path.join(work, f"blackbox-{count}.lua"), f"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct {{ long tv_sec; long tv_usec; }} bench_timeval; int gettimeofday(bench_timeval *tv, void *tz); ]]
local tv = ffi.new("bench_timeval")
local function now_ms()
    ffi.C.gettimeofday(tv, nil)
    return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end
local counter, sent, start = 0, 0, nil
request = function()
    counter = counter + 1
    local port = {b.TARGET_BASE} + counter % {farm.targets}
    return wrk.format("GET", "/probe?module=http_2xx&target=http://{HOST}:" .. port .. "/health")
end
delay = function()
    start = start or now_ms()
    sent = sent + 1
    local wait = start + sent * {1000.0 / count} - now_ms()
    if wait > 0 then return wait end
    return 0
end
""")
    seconds = int(CHECK_WARM + CHECK_WINDOW + 3)
    wrk = procs.start(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", driver,
                       f"http://{HOST}:{b.BLACKBOX_PORT}/"], "wrk-blackbox", stdout=subprocess.PIPE, text=True)
    time.sleep(CHECK_WARM)
    driver0 = b.cpu_seconds(wrk.pid)
    result = measure_window([blackbox.pid], farm, CHECK_WINDOW)
    result.pop("samples")
    b.ensure_alive(blackbox)
    result["driver_cpu_per_1k"] = (b.cpu_seconds(wrk.pid) - driver0) / (result["checks_per_s"] * CHECK_WINDOW) * 1000
    wrk.communicate(timeout=seconds + 30)
    procs.stop(wrk)
    _, body = b.http("GET", f"http://{HOST}:{b.BLACKBOX_PORT}/probe?module=http_2xx&target=http://{HOST}:{b.TARGET_BASE}/")
    if b"probe_success 1" not in body:
        raise RuntimeError("blackbox_exporter probe of a live target did not succeed")
    procs.stop(blackbox)
    return result


def section_checks(work):
    checks = results.setdefault("checks", {})
    for count in CHECK_COUNTS:
        targets = min(count, b.MAX_TARGETS)
        farm = b.TargetFarm(procs, work, targets)
        row = checks.setdefault(str(count), {"targets": targets})
        try:
            for name, run in (("vitals_keepalive", lambda: vitals_checks(work, farm, count, "keepAlive")),
                              ("vitals_fresh", lambda: vitals_checks(work, farm, count, "fresh")),
                              ("haproxy", lambda: haproxy_checks(work, farm, count)),
                              ("blackbox", lambda: blackbox_checks(work, farm, count))):
                row[name] = run()
                r = row[name]
                log(f"  N={count} {name}: {r['checks_per_s']:.0f} checks/s, {r['checker_cpu_per_1k']:.3f} CPU s/1k "
                    f"(target {r['target_cpu_per_1k']:.3f})"
                    + (f", lateness p99 {r['lateness_p99_ms']:.1f} ms" if "lateness_p99_ms" in r else ""))
                save()
        finally:
            farm.stop()


# --- 3. Detection and push -----------------------------------------------------------------------

def ensure_venv():
    if not os.path.exists(VENV_PYTHON):
        subprocess.run([sys.executable, "-m", "venv", os.path.dirname(os.path.dirname(VENV_PYTHON))], check=True)
    subprocess.run([VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                    os.path.join(b.ROOT, "conformance/requirements-v3.txt")], check=True)


def section_detect(work):
    ensure_venv()
    detect = results.setdefault("detect", {})
    vitals = b.start_vitals(procs, VITALS, os.path.join(work, "detect"), REGISTRY_CONFIG)
    interval_ms, fall = 1000, 3
    out = subprocess.run([VENV_PYTHON, os.path.join(b.ROOT, "bench/detect_push.py"), str(b.VITALS_PORT),
                          str(DETECT_TARGETS), str(interval_ms), str(fall), str(b.DETECT_TARGET_BASE)],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"detect_push.py failed: {out.stderr[-2000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if not data["detection_ms"]:
        raise RuntimeError(f"no detection sample: {data}")
    detect.update(data)
    procs.stop(vitals)

    vitals = b.start_vitals(procs, VITALS, os.path.join(work, "push"), REGISTRY_CONFIG)
    out = subprocess.run([VENV_PYTHON, os.path.join(b.ROOT, "conformance/push_latency.py"), str(b.VITALS_PORT),
                          str(PUSH_SAMPLES)], capture_output=True, text=True, timeout=300)
    procs.stop(vitals)
    if out.returncode != 0 or "p99" not in out.stdout:
        raise RuntimeError(f"push_latency.py failed: {out.stdout[-500:]} {out.stderr[-2000:]}")
    detect["register_push_summary"] = out.stdout.strip().splitlines()[-1]
    log(f"  detection {data['detection_ms']}, push {data['push_ms']}; {detect['register_push_summary']}")


# --- 4-6. Memory, restart and growth ----------------------------------------------------------------

def scale_run(work, count, kind):
    data = os.path.join(work, f"scale-{kind}-{count}")
    config = REGISTRY_CONFIG + "  clusterCheckInterval: 3600s\n"
    vitals = b.start_vitals(procs, VITALS, data, config)
    time.sleep(1)
    rss0 = b.rss_bytes(vitals.pid)
    metadata = json.dumps(KEEP)

    def make(i):
        return {"serviceName": f"scale{i % 1000}", "ip": f"127.{(i // 60000) % 250 + 1}.{(i // 250) % 240}.{i % 250}",
                "port": 1024 + i % 60000, "ephemeral": "true" if kind == "ephemeral" else "false", "metadata": metadata}

    rate = b.register_instances(b.VITALS_PORT, count, make)
    time.sleep(2)
    row = {"rss_per_instance_b": (b.rss_bytes(vitals.pid) - rss0) / count, "register_per_s": rate}
    if b.instance_count() != count:
        raise RuntimeError(f"{kind}: {b.instance_count()} instances registered, {count} expected")
    if kind == "ephemeral":
        first = make(0)
        beat = (f"http://{HOST}:{b.VITALS_PORT}/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40"
                f"{first['serviceName']}&ip={first['ip']}&port={first['port']}")
        put = b.write(os.path.join(work, "put.lua"), 'wrk.method = "PUT"\n')
        row["beat_rps"] = b.wrk(beat, SCALE_WRK_SECONDS, WRK_CONNECTIONS, script=put)["rps"]
        row["list_rps"] = b.wrk(f"http://{HOST}:{b.VITALS_PORT}/nacos/v1/ns/instance/list?serviceName=scale1",
                                SCALE_WRK_SECONDS, WRK_CONNECTIONS)["rps"]
        procs.stop(vitals)
    else:
        procs.stop(vitals, sig=signal.SIGKILL)
        start = time.monotonic()
        # Served again: the API answers with every instance (readiness lags by up to its 250 ms interval).
        vitals = b.start_vitals(procs, VITALS, data, config, ready=lambda: b.instance_count() == count)
        row["restart_s"] = time.monotonic() - start
        served = b.instance_count()
        if served != count:
            raise RuntimeError(f"after restart {served} instances served, {count} expected")
        procs.stop(vitals, sig=signal.SIGKILL)
    shutil.rmtree(data, ignore_errors=True)
    return row


def section_scale(work):
    scale = results.setdefault("scale", {})
    for count in SCALE_COUNTS:
        for kind in ("ephemeral", "persistent"):
            scale.setdefault(str(count), {})[kind] = row = scale_run(work, count, kind)
            log(f"  {kind} x{count}: {row}")
            save()
    if ENGINE_ARGS:
        bench_bin = os.environ.get("VITALS_BENCH_BIN")
        if bench_bin:
            out = subprocess.run([bench_bin, "engine", *ENGINE_ARGS], capture_output=True, text=True, timeout=120)
            results["engine_table"] = out.stdout


SECTIONS = [("api", section_api), ("checks", section_checks), ("detect", section_detect), ("scale", section_scale)]


def main():
    versions()
    results["loadavg_start"] = open("/proc/loadavg").read().split()[:3]
    work = b.new_workdir()
    try:
        for name, run in SECTIONS:
            if ONLY and name not in ONLY:
                continue
            started = time.monotonic()
            log(f"== {name}")
            try:
                run(work)
            except Exception as error:  # noqa: BLE001 - a broken step is reported and fails the run
                traceback.print_exc()
                results["failures"].append(f"{name}: {error}")
            finally:
                procs.stop_all()
            results.setdefault("durations_s", {})[name] = round(time.monotonic() - started, 1)
            save()
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)
        results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        save()
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
