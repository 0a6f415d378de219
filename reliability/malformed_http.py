"""Sends a corpus of malformed and hostile HTTP requests to the real server (127.0.0.1 only) and
checks that each gets a clear answer (never a 5xx) or a closed connection, and that the server
keeps serving others after every one. Prints: requests tried, 4xx, closed, 5xx (must be 0).

Usage: malformed_http.py VITALS_BIN"""
import os
import socket
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
import vitals_server  # noqa: E402

binary = sys.argv[1]
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
process, _ = vitals_server.start(port, ["--grpc-port", "0"], binary=binary, quiet=True)


def healthy():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/vitals/ping", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


form = "application/x-www-form-urlencoded"
corpus = [
    ("garbage request line", b"THIS IS NOT HTTP\r\n\r\n"),
    ("bad version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n"),
    ("no host, http/1.0", b"GET /ext/health HTTP/1.0\r\n\r\n"),
    ("huge header", b"GET /ext/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"),
    ("many headers", b"GET /ext/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n"),
    ("invalid utf-8 in query", b"GET /nacos/v1/ns/instance/list?serviceName=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("invalid percent escapes", b"GET /nacos/v1/ns/instance/list?serviceName=%zz%G1 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("invalid utf-8 form", b"POST /nacos/v2/ns/instance HTTP/1.1\r\nHost: x\r\nContent-Type: " + form.encode()
     + b"\r\nContent-Length: 30\r\n\r\nserviceName=\xff\xff&ip=1.2.3.4&port=1"),
    ("body shorter than content-length", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 100\r\n\r\n{\"jsonrpc\""),
    ("negative content-length", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
    ("huge declared body", b"POST /nacos/v2/ns/instance HTTP/1.1\r\nHost: x\r\nContent-Type: " + form.encode()
     + b"\r\nContent-Length: 999999999\r\n\r\nserviceName=a"),
    ("oversized form", b"POST /nacos/v2/ns/instance HTTP/1.1\r\nHost: x\r\nContent-Type: " + form.encode()
     + b"\r\nContent-Length: 100000\r\n\r\n" + b"a" * 100000),
    ("broken json-rpc", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 5\r\n\r\n{{{{{"),
    ("json-rpc invalid utf-8", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 4\r\n\r\n\"\xff\xfe\""),
    ("deeply nested json", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 20000\r\n\r\n" + b"[" * 10000 + b"]" * 10000),
    ("chunked garbage", b"POST /ext/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"),
    ("unknown method", b"BREW /ext/health HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("path traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("nul in path", b"GET /ext/health\x00 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("very long path", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("metadata bomb", b"POST /nacos/v2/ns/instance?serviceName=s&ip=127.0.0.1&port=1&metadata=" + b"%7B" * 5000
     + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
    ("port overflow", b"POST /nacos/v2/ns/instance?serviceName=s&ip=127.0.0.1&port=99999999999999999999 HTTP/1.1\r\n"
     b"Host: x\r\nContent-Length: 0\r\n\r\n"),
    ("weight nan", b"POST /nacos/v2/ns/instance?serviceName=s&ip=127.0.0.1&port=1&weight=nan HTTP/1.1\r\n"
     b"Host: x\r\nContent-Length: 0\r\n\r\n"),
]

tried = client_errors = closed = server_errors = 0
failures = []
for name, raw in corpus:
    tried += 1
    status = None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(raw)
            connection.shutdown(socket.SHUT_WR)
            reply = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                reply += chunk
            if reply.startswith(b"HTTP/"):
                status = int(reply.split(b" ", 2)[1])
    except (OSError, ValueError):
        status = None
    if status is None:
        closed += 1
    elif status >= 500:
        server_errors += 1
        failures.append(f"{name}: {status}")
    elif status >= 400:
        client_errors += 1
    if not healthy():
        failures.append(f"{name}: the server stopped answering")
        break

process.terminate()
process.wait(timeout=15)
print(f"malformed HTTP: {tried} requests tried, {client_errors} answered 4xx, {closed} closed without an answer, "
      f"{tried - client_errors - closed - server_errors} answered 2xx/3xx, {server_errors} answered 5xx")
for failure in failures:
    print("  FAIL", failure)
sys.exit(1 if failures or server_errors else 0)
