import Foundation
import HealthProbes
import TestSupport
import Testing
import VitalsServer

@Suite("Node health API over HTTP", .timeLimit(.minutes(2)))
struct NodeHealthHTTPTests {
    static let rpc = #"{"jsonrpc":"2.0","id":1,"method":"health.health"}"#

    @Test(
        "JSON-RPC accepts application/json with a trailing ; or parameters",
        arguments: [
            "application/json", "application/json;", "application/json; charset=UTF-8", "Application/JSON",
        ])
    func contentTypes(contentType: String) async throws {
        try await withServer { client in
            let response = try await client.post("/ext/health", json: Self.rpc, contentType: contentType)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"].first == "application/json; charset=utf-8")
            #expect(try TestClient.object(response)["result"] != nil)
        }
    }

    @Test("JSON-RPC refuses other content types with 415 and says why")
    func wrongContentType() async throws {
        try await withServer { client in
            let response = try await client.post("/ext/health", json: Self.rpc, contentType: "text/plain")
            #expect(response.status == 415)
            #expect(response.bodyText.contains("requires application/json"))
            let missing = try await client.request(.POST, "/ext/health", body: Self.rpc)
            #expect(missing.status == 415)
        }
    }

    @Test("JSON-RPC errors are HTTP 200; notifications are 204 with no body")
    func errorsAndNotifications() async throws {
        try await withServer { client in
            let broken = try await client.post("/ext/health", json: "{nope")
            #expect(broken.status == 200)
            #expect((try TestClient.object(broken)["error"] as? [String: Any])?["code"] as? Int == -32700)
            let notification = try await client.post(
                "/ext/health", json: #"{"jsonrpc":"2.0","method":"health.health"}"#)
            #expect(notification.status == 204)
            #expect(notification.body.isEmpty)
        }
    }

    @Test("oversized JSON-RPC bodies are refused with 413")
    func oversized() async throws {
        try await withServer { client in
            let huge = "[" + String(repeating: " ", count: 300 * 1024) + "]"
            let response = try await client.post("/ext/health", json: huge)
            #expect(response.status == 413)
        }
    }

    @Test("HEAD answers the status without a body; other methods get 405")
    func methods() async throws {
        try await withServer { client in
            let head = try await client.request(.HEAD, "/ext/health")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let put = try await client.request(.PUT, "/ext/health")
            #expect(put.status == 405)
            #expect(put.headers["Allow"].first == "GET, HEAD, POST")
        }
    }

    @Test("?tag= selects checks; application checks are always included")
    func tagQuery() async throws {
        let port = try await closedLocalPort()
        let checks = [
            try CheckDeclaration(flag: "down=tcp://127.0.0.1:\(port);tags=subnetA;interval=1s"),
            try CheckDeclaration(flag: "self=tcp://127.0.0.1:\(port);tags=subnetB;interval=1s"),
        ]
        try await withServer(checks: checks) { client in
            _ = try await eventually { try await client.get("/ext/health").status == 503 }
            let response = try await client.get("/ext/health?tag=subnetA")
            #expect(response.status == 503)
            let names = (try TestClient.object(response)["checks"] as? [String: Any])?.keys.sorted()
            #expect(names == ["down", "server.heartbeat", "storage.writable"])
            let other = try TestClient.object(try await client.get("/ext/health?tag=unknown"))
            #expect((other["checks"] as? [String: Any])?.keys.sorted() == ["server.heartbeat", "storage.writable"])
            #expect(other["healthy"] as? Bool == true)
        }
    }

    @Test("sub-routes report readiness and liveness")
    func subRoutes() async throws {
        try await withServer { client in
            let readiness = try TestClient.object(try await client.get("/ext/health/readiness"))
            #expect((readiness["checks"] as? [String: Any])?.keys.sorted() == ["server.started"])
            let liveness = try await client.get("/ext/health/liveness")
            #expect(liveness.status == 200)
            #expect(liveness.bodyText == "{\"checks\":{},\"healthy\":true}\n")
        }
    }

    @Test("/livez and /readyz answer ok, list checks with ?verbose, and honour ?exclude=")
    func kubernetesProbes() async throws {
        let port = try await closedLocalPort()
        let down = try CheckDeclaration(flag: "db=tcp://127.0.0.1:\(port);interval=1s")
        try await withServer(checks: [down]) { client in
            let livez = try await client.get("/livez")
            #expect(livez.status == 200)
            #expect(livez.bodyText == "ok")
            _ = try await eventually { try await client.get("/readyz").status == 503 }
            let failing = try await client.get("/readyz")
            #expect(failing.status == 503)
            #expect(failing.bodyText.contains("[-]db failed: reason withheld"))
            #expect(failing.bodyText.contains("[+]storage.writable ok"))
            #expect(failing.bodyText.hasSuffix("readyz check failed\n"))
            let excluded = try await client.get("/readyz?exclude=db&verbose")
            #expect(excluded.status == 200)
            #expect(excluded.bodyText.contains("[+]db excluded: ok"))
            #expect(excluded.bodyText.hasSuffix("readyz check passed\n"))
            let unknown = try await client.get("/readyz?exclude=db&exclude=nope&verbose")
            #expect(unknown.bodyText.contains(#"warn: some health checks cannot be excluded: no matches for "nope""#))
            let single = try await client.get("/readyz/db")
            #expect(single.status == 503)
            #expect(single.bodyText.contains("connection refused"))
            #expect(try await client.get("/readyz/storage.writable").status == 200)
            #expect(try await client.get("/readyz/nope").status == 404)
        }
    }

    @Test("Accept: application/health+json renders the IETF draft format")
    func healthJSON() async throws {
        let port = try await closedLocalPort()
        let down = try CheckDeclaration(flag: "db=tcp://127.0.0.1:\(port);interval=1s")
        try await withServer(checks: [down]) { client in
            _ = try await eventually { try await client.get("/ext/health").status == 503 }
            let response = try await client.get("/ext/health", headers: [("Accept", "application/health+json")])
            #expect(response.status == 503)
            #expect(response.headers["Content-Type"].first == "application/health+json")
            let document = try TestClient.object(response)
            #expect(document["status"] as? String == "fail")
            let checks = try #require(document["checks"] as? [String: [[String: Any]]])
            #expect(checks["db"]?.first?["status"] as? String == "fail")
            #expect((checks["db"]?.first?["output"] as? String)?.contains("connection refused") == true)
            #expect(checks["storage.writable"]?.first?["status"] as? String == "pass")
            #expect(checks["storage.writable"]?.first?["output"] == nil)
            let healthy = try await client.get(
                "/ext/health?tag=nothing", headers: [("Accept", "application/health+json")])
            #expect(healthy.status == 200)
            #expect(try TestClient.object(healthy)["status"] as? String == "pass")
        }
    }

    @Test("/metrics exposes per-check metrics in the Prometheus format")
    func metrics() async throws {
        try await withServer { client in
            let response = try await client.get("/metrics")
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#"vitals_check_passing{check="storage.writable",kind="health"}"#))
            #expect(response.bodyText.contains("vitals_check_runs_total"))
            let lateness = #"vitals_scheduler_lateness_seconds{engine="registry",quantile="0.99"}"#
            #expect(response.bodyText.contains(lateness))
        }
    }
}

@Suite("Declared DNS checks", .timeLimit(.minutes(1)))
struct DeclaredDNSCheckTests {
    @Test("dns:// checks pass for a resolvable name and fail with the resolver's reason otherwise")
    func dns() async throws {
        let checks = [
            try CheckDeclaration(flag: "resolver=dns://localhost"),
            try CheckDeclaration(flag: "missing=dns://no-such-host.invalid;interval=1s"),
        ]
        try await withServer(checks: checks) { client in
            var results: [String: [String: Any]] = [:]
            _ = try await eventually {
                let body = try TestClient.object(try await client.get("/ext/health"))
                results = body["checks"] as? [String: [String: Any]] ?? [:]
                return results["missing"]?["contiguousFailures"] != nil && results["resolver"]?["error"] == nil
            }
            #expect((results["resolver"]?["message"] as? [String: Any])?["host"] as? String == "localhost")
            #expect((results["missing"]?["error"] as? String)?.hasPrefix("cannot resolve no-such-host.invalid") == true)
        }
    }
}
