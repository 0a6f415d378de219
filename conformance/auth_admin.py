"""Admin calls against Vitals' Nacos auth API (stdlib only), shared by both SDK suites."""
import json
import urllib.error
import urllib.parse
import urllib.request

ADMIN_PASSWORD = "conformance-admin-pw"


def call(port, method, path, params=None, token=None):
    """Returns (status, body text). Parameters go in a form body, as the console sends them."""
    params = dict(params or {})
    if token:
        params["accessToken"] = token
    data = urllib.parse.urlencode(params).encode()
    url = f"http://127.0.0.1:{port}{path}"
    if method == "GET":
        url, data = f"{url}?{data.decode()}", None
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def login(port, username, password):
    status, body = call(port, "POST", "/nacos/v1/auth/login", {"username": username, "password": password})
    assert status == 200, body
    return json.loads(body)["accessToken"]


def setup_teams(port):
    """Namespaces ns-a and ns-b; alice may read and write ns-a only, bob may only read ns-b."""
    admin = login(port, "nacos", ADMIN_PASSWORD)
    steps = [
        ("POST", "/nacos/v1/console/namespaces", {"customNamespaceId": "ns-a", "namespaceName": "team a"}),
        ("POST", "/nacos/v1/console/namespaces", {"customNamespaceId": "ns-b", "namespaceName": "team b"}),
        ("POST", "/nacos/v1/auth/users", {"username": "alice", "password": "alice-pw"}),
        ("POST", "/nacos/v1/auth/users", {"username": "bob", "password": "bob-pw"}),
        ("POST", "/nacos/v1/auth/roles", {"role": "team-a", "username": "alice"}),
        ("POST", "/nacos/v1/auth/roles", {"role": "viewers-b", "username": "bob"}),
        ("POST", "/nacos/v1/auth/permissions", {"role": "team-a", "resource": "ns-a:*:*", "action": "rw"}),
        ("POST", "/nacos/v1/auth/permissions", {"role": "viewers-b", "resource": "ns-b", "action": "r"}),
    ]
    for method, path, params in steps:
        status, body = call(port, method, path, params, admin)
        assert status == 200, f"{path} {params}: {status} {body}"
    return admin
