"""Registers N instances over HTTP keep-alive connections (bounded: N requests, then stops).
Usage: registry_load.py PORT N ephemeral|persistent [services]"""
import http.client
import sys
import threading
import time
import urllib.parse

port, total, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
services = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
threads = 8
keep = urllib.parse.quote('{"preserved.heart.beat.timeout":"86400000","preserved.ip.delete.timeout":"86400000"}')
failures = []


def work(offset):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for index in range(offset, total, threads):
        ip = f"127.{(index // 60000) % 250 + 1}.{(index // 250) % 240}.{index % 250}"
        query = (f"serviceName=scale{index % services}&ip={ip}&port={1024 + index % 60000}"
                 f"&ephemeral={'true' if kind == 'ephemeral' else 'false'}&metadata={keep}")
        connection.request("POST", "/nacos/v1/ns/instance?" + query, headers={"Content-Length": "0"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            failures.append(body[:200])


start = time.monotonic()
workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
elapsed = time.monotonic() - start
print(f"registered {total - len(failures)} of {total} {kind} instances in {elapsed:.1f} s "
      f"({total / elapsed:.0f}/s), {len(failures)} failures")
if failures:
    print("first failure:", failures[0])
