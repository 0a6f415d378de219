"""Registers N instances over HTTP keep-alive connections (bounded: N requests, then stops).
Usage: registry_load.py PORT N ephemeral|persistent [services]"""
import sys

import benchlib

port, total, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
services = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
keep = '{"preserved.heart.beat.timeout":"86400000","preserved.ip.delete.timeout":"86400000"}'


def instance(index):
    return {"serviceName": f"scale{index % services}",
            "ip": f"127.{(index // 60000) % 250 + 1}.{(index // 250) % 240}.{index % 250}",
            "port": 1024 + index % 60000, "ephemeral": "true" if kind == "ephemeral" else "false",
            "metadata": keep}


rate = benchlib.register_instances(port, total, instance)
print(f"registered {total} {kind} instances in {total / rate:.1f} s ({rate:.0f}/s), 0 failures")
