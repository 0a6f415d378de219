"""Turns the suite's results JSON into the table (stdout), and in full mode rewrites
docs/benchmarks.md and docs/benchmarks-growth.svg. The hand-written analysis between the
ANALYSIS markers of the existing doc is kept.

Usage: report.py RESULTS_JSON [--write]"""
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs/benchmarks.md")
SVG = os.path.join(ROOT, "docs/benchmarks-growth.svg")
START, END = "<!-- ANALYSIS:START (hand-written, kept by bench/report.py) -->", "<!-- ANALYSIS:END -->"


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def n(value, digits=0):
    if value is None or value != value:
        return "—"
    return f"{value:,.{digits}f}"


def verdict(ok):
    return "met" if ok else "**missed**"


class Report:
    def __init__(self, results):
        self.r = results
        self.rows = []  # (section, figure, vitals, peers, ratio, target, verdict)
        self.targets = []  # (text, measured, ok)

    def row(self, section, figure, vitals, peers="", ratio="", target="", ok=None):
        self.rows.append((section, figure, vitals, peers, ratio, target, "" if ok is None else verdict(ok)))
        if target and ok is not None:
            self.targets.append((f"{figure}: {target}", ratio or vitals, ok))

    def api(self):
        api = self.r.get("api")
        if not api:
            return
        ping, nginx = api["vitals_ping"], api["nginx_static"]

        def fig(x):
            return f"{n(x['rps'])}/s, p99 {n(x['p99_ms'], 1)} ms"

        self.row("1 API", "`GET /vitals/ping` (trivial route: the framework's ceiling)", fig(ping),
                 f"nginx static 200: {fig(nginx)}", f"{ping['rps'] / nginx['rps']:.2f}× nginx")
        spec = [
            ("vitals_beat", "`PUT /nacos/v1/ns/instance/beat`", "etcd_keepalive", "lease keepalive", True),
            ("vitals_list10", "`GET /nacos/v1/ns/instance/list` (10 instances)", "etcd_range10", "range of 10 keys", True),
            ("vitals_list100", "`GET /nacos/v1/ns/instance/list` (100 instances)", "etcd_range100", "range of 100 keys", False),
            ("vitals_register", "`POST /nacos/v2/ns/instance` (distinct instances)", "etcd_put_lease_new",
             "put of a new key with a lease", False),
            ("vitals_health", "`PUT /nacos/v2/ns/health/instance`", "etcd_put", "put of an existing key", True),
            ("vitals_ext_health", "`GET /ext/health`", "etcd_health", "`GET /health`", False),
        ]
        for key, figure, peer, peer_name, targeted in spec:
            v, e = api[key], api[peer]
            trivial, vs_etcd = v["rps"] / ping["rps"], v["rps"] / e["rps"]
            bad = v["non2xx"] + v["socket_errors"]
            self.row("1 API", figure + (f" ({bad} errors)" if bad else ""), fig(v), f"etcd {peer_name}: {fig(e)}",
                     f"{trivial:.2f}× trivial, {vs_etcd:.1f}× etcd",
                     "≥ 0.8× trivial, ≥ 4× etcd" if targeted else "",
                     (trivial >= 0.8 and vs_etcd >= 4 and bad == 0) if targeted else None)

    def checks(self):
        checks = self.r.get("checks")
        if not checks:
            return
        for count, row in sorted(checks.items(), key=lambda kv: int(kv[0])):
            count = int(count)
            h, bb = row.get("haproxy"), row.get("blackbox")
            for mode in ("keepalive", "fresh"):
                v = row.get(f"vitals_{mode}")
                if not v or not h or not bb:
                    continue
                label = "keep-alive" if mode == "keepalive" else "fresh connection per check"
                ratio_h, ratio_b = v["checker_cpu_per_1k"] / h["checker_cpu_per_1k"], v["checker_cpu_per_1k"] / bb["checker_cpu_per_1k"]
                rate = v["checks_per_s"] / count
                if mode == "fresh":
                    target, ok = "≤ 1.5× HAProxy, < blackbox", ratio_h <= 1.5 and ratio_b < 1
                else:
                    target, ok = "< blackbox", ratio_b < 1
                self.row("2 checks", f"CPU s per 1,000 HTTP checks, N={count:,} at 1 s, {label}",
                         f"{v['checker_cpu_per_1k']:.3f} ({n(v['checks_per_s'])} checks/s = {rate:.2f}× N)",
                         f"HAProxy {h['checker_cpu_per_1k']:.3f} ({n(h['checks_per_s'])}/s); "
                         f"blackbox {bb['checker_cpu_per_1k']:.3f} ({n(bb['checks_per_s'])}/s)",
                         f"{ratio_h:.2f}× HAProxy, {ratio_b:.2f}× blackbox", target, ok)
                if count == 20000 and mode == "keepalive":
                    self.row("2 checks", "20,000 targets at 1 s sustained with connection reuse (2 cores)",
                             f"{n(v['checks_per_s'])} checks/s, {v['checker_cores']:.2f} cores",
                             "", f"{rate:.2f}× offered", "≥ 0.97× offered", rate >= 0.97)
                self.row("2 checks", f"schedule lateness p99, N={count:,}, {label}", f"{n(v['lateness_p99_ms'], 1)} ms",
                         "", "", "≤ 50 ms", v["lateness_p99_ms"] <= 50)

    def detect(self):
        d = self.r.get("detect")
        if not d or not d.get("detection_ms"):
            return
        bound = d["interval_ms"] * d["fall"] + 100
        det, push = d["detection_ms"], d["push_ms"]
        self.row("3 detection", f"target death → instance unhealthy (interval {d['interval_ms']} ms, fall {d['fall']}, "
                 f"{len(det)} targets)", f"p50 {n(pct(det, .5))} ms, p99 {n(pct(det, .99))} ms, max {n(max(det))} ms",
                 "", "", f"≤ {bound} ms", max(det) <= bound)
        self.row("3 push", "change → gRPC subscriber callback (nacos-sdk-python 3.2.0)",
                 f"p50 {n(pct(push, .5), 1)} ms, p99 {n(pct(push, .99), 1)} ms", "", "", "p99 ≤ 50 ms",
                 pct(push, .99) <= 50)
        if d.get("register_push_summary"):
            self.row("3 push", "register sent → callback (another client's registration; upper bound)",
                     d["register_push_summary"].split(": ", 1)[-1])

    def scale(self):
        s = self.r.get("scale")
        if not s:
            return
        counts = sorted(s, key=int)
        for count in counts:
            for kind in ("ephemeral", "persistent"):
                row = s[count].get(kind)
                if not row:
                    continue
                big = int(count) >= 100000
                self.row("4 memory", f"resident memory per {kind} instance at {int(count):,}",
                         f"{n(row['rss_per_instance_b'])} B", "", "",
                         "≤ 2,048 B" if big else "", row["rss_per_instance_b"] <= 2048 if big else None)
        # Per scheduled HTTP check: the slope of the checking server's RSS between the smallest and
        # the largest N (persistent instances, each with a declared check and a cluster check),
        # less a persistent instance's own cost measured above.
        checks = self.r.get("checks", {})
        sizes = sorted((int(c) for c in checks if "rss_b" in checks[c].get("vitals_keepalive", {})))
        persistent = s.get(min(counts, key=lambda c: abs(int(c) - 10000)), {}).get("persistent", {})
        if len(sizes) >= 2 and persistent:
            low, high = sizes[0], sizes[-1]
            slope = (checks[str(high)]["vitals_keepalive"]["rss_b"] - checks[str(low)]["vitals_keepalive"]["rss_b"]) / (
                high - low)
            self.row("4 memory", f"resident memory per scheduled HTTP check (keep-alive; RSS slope from N={low:,} "
                     f"to {high:,} less a persistent instance)", f"{n(slope - persistent['rss_per_instance_b'])} B",
                     f"{n(slope)} B per instance with its check and its share of connections")
        for count in counts:
            row = s[count].get("persistent")
            if row and "restart_s" in row:
                big = int(count) >= 100000
                self.row("5 restart", f"kill -9, restart until {int(count):,} persistent instances are served",
                         f"{row['restart_s']:.2f} s", "", "", "≤ 2 s" if big else "",
                         row["restart_s"] <= 2 if big else None)

    def table(self):
        lines = ["| # | figure | Vitals | peers (same run) | ratio | target | verdict |",
                 "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)

    def checks_detail(self):
        checks = self.r.get("checks")
        if not checks:
            return ""
        lines = ["| N | targets | checker | checks/s | checker CPU s / 1k | checker cores | target (nginx) CPU s / 1k "
                 "| lateness p99 | checker RSS |", "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        names = {"vitals_keepalive": "Vitals keep-alive", "vitals_fresh": "Vitals fresh", "haproxy": "HAProxy",
                 "blackbox": "blackbox_exporter"}
        for count, row in sorted(checks.items(), key=lambda kv: int(kv[0])):
            for key, name in names.items():
                v = row.get(key)
                if not v:
                    continue
                extra = f" (+ driver {v['driver_cpu_per_1k']:.3f})" if "driver_cpu_per_1k" in v else ""
                lines.append(
                    f"| {int(count):,} | {row['targets']:,} | {name} | {n(v['checks_per_s'])} | "
                    f"{v['checker_cpu_per_1k']:.3f}{extra} | {v['checker_cores']:.2f} | {v['target_cpu_per_1k']:.3f} | "
                    f"{n(v['lateness_p99_ms'], 1) + ' ms' if 'lateness_p99_ms' in v else '—'} | "
                    f"{n(v['rss_b'] / 2**20, 1) + ' MiB' if 'rss_b' in v else '—'} |")
        return "\n".join(lines)

    def growth(self):
        s = self.r.get("scale")
        if not s:
            return ""
        lines = ["| instances | RSS per ephemeral instance | RSS per persistent instance | restart (persistent) | "
                 "beat req/s at this size | list req/s (a service of N / 1,000 instances) | registrations/s ephemeral / persistent (Python client) |",
                 "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for count in sorted(s, key=int):
            e, p = s[count].get("ephemeral", {}), s[count].get("persistent", {})
            lines.append(f"| {int(count):,} | {n(e.get('rss_per_instance_b'))} B | {n(p.get('rss_per_instance_b'))} B | "
                         f"{p.get('restart_s', float('nan')):.2f} s | {n(e.get('beat_rps'))} | {n(e.get('list_rps'))} | "
                         f"{n(e.get('register_per_s'))} / {n(p.get('register_per_s'))} |")
        return "\n".join(lines)

    def svg(self):
        """Each growth figure relative to its value at the smallest size, on a log-scaled x axis."""
        s = self.r.get("scale")
        counts = sorted(s, key=int)
        series = [
            ("RSS / ephemeral instance", "#1f77b4", [s[c]["ephemeral"]["rss_per_instance_b"] for c in counts]),
            ("RSS / persistent instance", "#ff7f0e", [s[c]["persistent"]["rss_per_instance_b"] for c in counts]),
            ("restart time / instance", "#2ca02c", [s[c]["persistent"]["restart_s"] / int(c) for c in counts]),
            ("beat req/s", "#d62728", [s[c]["ephemeral"]["beat_rps"] for c in counts]),
            ("list req/s", "#9467bd", [s[c]["ephemeral"]["list_rps"] for c in counts]),
        ]
        import math
        width, height, left, right, top, bottom = 640, 360, 60, 200, 30, 50
        xs = [math.log10(int(c)) for c in counts]
        ratios = [[v / vals[0] if vals[0] else 1 for v in vals] for _, _, vals in series]
        ymax = max(1.5, max(max(r) for r in ratios) * 1.1)

        def px(x):
            return left + (x - xs[0]) / max(1e-9, xs[-1] - xs[0]) * (width - left - right)

        def py(y):
            return top + (1 - y / ymax) * (height - top - bottom)

        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
                 f'font-size="11"><rect width="100%" height="100%" fill="white"/>',
                 f'<text x="{left}" y="18" font-size="13">Vitals: each figure relative to its value at '
                 f'{int(counts[0]):,} instances ({self.r["started"]}, {self.r["cores"]} cores)</text>',
                 f'<line x1="{left}" y1="{py(0)}" x2="{width - right}" y2="{py(0)}" stroke="black"/>',
                 f'<line x1="{left}" y1="{top}" x2="{left}" y2="{py(0)}" stroke="black"/>']
        step = 0.5 if ymax <= 3 else 1 if ymax <= 8 else 5
        y = 0.0
        while y <= ymax:
            parts.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{width - right}" y2="{py(y):.1f}" stroke="#ddd"/>'
                         f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}×</text>')
            y += step
        for c, x in zip(counts, xs):
            parts.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{int(c):,}</text>')
        parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">'
                     f'registered instances (log scale)</text>')
        for index, ((name, color, _), values) in enumerate(zip(series, ratios)):
            points = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, values))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
            parts += [f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3" fill="{color}"/>' for x, v in zip(xs, values)]
            ly = top + 10 + index * 18
            parts.append(f'<rect x="{width - right + 12}" y="{ly - 8}" width="12" height="3" fill="{color}"/>'
                         f'<text x="{width - right + 30}" y="{ly - 4}">{name}</text>')
        parts.append("</svg>")
        return "\n".join(parts) + "\n"

    def targets_text(self):
        lines = [f"- {verdict(ok)}: {text} (measured: {measured})" for text, measured, ok in self.targets]
        return "\n".join(lines)


def engine_section(results):
    table = results.get("engine_table", "").strip()
    if not table:
        return ""
    return ("### The check engine alone\n\n`vitals-bench engine 100000 10 5`: 100,000 no-op checks every 10 s "
            "(scheduling overhead and memory per scheduled check without any probe).\n\n" + table + "\n\n")


def doc(report, results, analysis):
    v = results.get("versions", {})
    durations = results.get("durations_s", {})
    return f"""# Benchmarks

Vitals beside the tools users would run instead, and beside the limit of the machine, all
measured **in one run of one script on one machine**. Absolute numbers drift between machines
and runs; read the ratios. Everything runs on 127.0.0.1 with bounded durations. The
history of earlier measurements and optimisations is in
[benchmarks-history.md](benchmarks-history.md).

## How to rerun

```sh
bench/suite.sh            # full suite (~10 min on 2 cores, plus a cold release build): installs the peers,
                          # builds release, prints the table, rewrites this file and the SVG
bench/suite.sh --short    # about a minute, small N; asserts nothing about speed (CI runs it)
VITALS_BIN=path/to/vitals bench/suite.sh --short   # use a prebuilt binary, skip the build
bench/suite.sh --only=api,checks                   # some sections (api, checks, detect, scale)
```

Everything above except the "Analysis" section is generated by `bench/report.py` from the run.
The older single-purpose scripts (`bench/registry-api.sh`, `bench/registry-scale.sh`,
`bench/push-latency.sh`, `bench/health-engine.sh`) still work.

## Run of {results['started']}

{results['cores']} cores ({results['cpu']}), {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} usable. Peers: {v.get('nginx', '?')}; {v.get('haproxy', '?')};
{v.get('etcd', '?')}; {v.get('blackbox_exporter', '?')}; {v.get('wrk', '?').split(' [')[0]}.
Section durations (s): {', '.join(f'{k} {t}' for k, t in durations.items())}. Load average (1, 5, 15 min)
at the start {' '.join(results.get('loadavg_start', []))}, at the end {' '.join(results.get('loadavg_end', []))}
(other work on the machine shares the cores; the ratios are taken side by side to absorb it).

{report.table()}

How the figures are taken:

- **API**: wrk, 2 threads, 64 connections, 10 s per route; wrk and the server share the 2 cores.
  etcd runs as shipped (single member, fsync on), driven through its JSON gateway.
- **Active checks**: N HTTP checks every second; the targets are nginx processes (1 worker each,
  1,000 ports each) on 127.0.0.1. This machine caps open files at 20,000 per process (hard limit,
  not raisable here), so at most 5,000 distinct target addresses are used; at N = 20,000 four
  checks share each address (Vitals: instances in different services; HAProxy: four servers
  with the same address). Vitals checks are persistent instances with a declared check
  (`vitals.check.type=HTTP`, `interval=1000`, `vitals.check.mode=keepAlive|fresh`), copied into
  the store from one the server registered and loaded at start (registering 20,000 over HTTP
  while their checks start took minutes; their cluster checks are an hour apart); HAProxy
  has one backend server per check (`option httpchk`, `inter 1s`); blackbox_exporter is driven by
  wrk at N probes/s on an absolute schedule (the driver's CPU is listed, not counted). Checks are
  counted where they land (nginx `stub_status`), CPU is utime+stime from `/proc/PID/stat` over a
  {10 if not results['short'] else 2} s window after a warm-up, per process. Lateness p99 is the highest of the
  registry engine's p99 (`vitals_scheduler_lateness_seconds` on `/metrics`) sampled each second.
- **Detection and push**: targets are small HTTP servers killed at random moments; the instance
  list is polled every ~2 ms to bracket the moment of the change; the subscriber is the real
  nacos-sdk-python 3.2.0 over gRPC.
- **Memory / restart**: `VmRSS` before and after registering N instances (Python client,
  8 keep-alive connections, 1,000 services); persistent instances are then killed with `kill -9`
  and the time until the API serves all of them again is taken.

### Active checks in detail

{report.checks_detail()}

{engine_section(results)}### Growth from 1k to 100k instances

{report.growth()}

![growth](benchmarks-growth.svg)

### Targets

{report.targets_text()}

{START}
{analysis.strip()}
{END}
"""


def main():
    results = json.load(open(sys.argv[1]))
    report = Report(results)
    report.api()
    report.checks()
    report.detect()
    report.scale()
    print()
    print(f"Run of {results['started']}, {results['cores']} cores, {results['cpu']}")
    print(report.table())
    print()
    print(report.checks_detail())
    print()
    print(report.growth())
    print()
    print(report.targets_text())
    if results.get("failures"):
        print("\nFAILED steps:\n" + "\n".join(results["failures"]))
    if "--write" in sys.argv:
        analysis = "## Analysis\n\n(hand-written: what the profiles show and what each optimisation bought)"
        if os.path.exists(DOC):
            text = open(DOC).read()
            if START in text and END in text:
                analysis = text.split(START, 1)[1].split(END, 1)[0]
        with open(DOC, "w") as handle:
            handle.write(doc(report, results, analysis))
        if results.get("scale") and len(results["scale"]) > 1:
            with open(SVG, "w") as handle:
                handle.write(report.svg())
        print(f"\nwrote {DOC}")


if __name__ == "__main__":
    main()
