"""Starts and stops the real Vitals binary for the conformance suites (127.0.0.1 only)."""
import os
import subprocess
import tempfile
import time
import urllib.request


def start(port, extra_args=(), config_text=None, binary=None, data=None, quiet=False, env=None, log=None):
    """Runs `vitals serve` on `port`, waits until it is ready, and returns (process, data_dir).
    `data` reuses a data directory (restarts); `binary` defaults to $VITALS_BIN; `env` adds variables; `log` is an open
    file that receives the server's output (overrides `quiet`)."""
    data = data or tempfile.mkdtemp(prefix="vitals-conformance-")
    args = [binary or os.environ["VITALS_BIN"], "serve", "--port", str(port), "--data-dir", data + "/data",
            "--shutdown-grace", "0s", *extra_args]
    if "--log-level" not in extra_args:
        args += ["--log-level", "error" if quiet else "warning"]
    if config_text is not None:
        config = os.path.join(data, "vitals.yaml")
        with open(config, "w") as handle:
            handle.write(config_text)
        args += ["--config", config]
    output = log if log is not None else (subprocess.DEVNULL if quiet else None)
    process = subprocess.Popen(args, stdout=output, stderr=output, env={**os.environ, **(env or {})})
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ext/health/readiness", timeout=1) as response:
                if response.status == 200:
                    return process, data
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("vitals did not start")


def stop(process):
    process.terminate()
    process.wait(timeout=15)


def rss_kib(pid):
    """The resident memory of process `pid` in KiB (VmRSS), 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
