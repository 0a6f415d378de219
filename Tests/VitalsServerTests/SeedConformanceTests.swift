import Foundation
import TestSupport
import Testing
import VitalsServer

@Suite("Seed documents: AvalancheGo health API", .timeLimit(.minutes(2)))
struct SeedConformanceTests {
    /// The seed's curl body and header, byte for byte.
    static let seedBody = """
        {
            "jsonrpc":"2.0",
            "id"     :1,
            "method" :"health.getLiveness"
        }
        """

    @Test("the seed's health.getLiveness call answers with every per-check field of the seed")
    func seedCurl() async throws {
        try await withServer { client in
            _ = try await eventually { try await client.get("/ext/health").status == 200 }
            let response = try await client.post("/ext/health", json: Self.seedBody, contentType: "application/json;")
            #expect(response.status == 200)
            let reply = try TestClient.object(response)
            #expect(reply["jsonrpc"] as? String == "2.0")
            #expect(reply["id"] as? Int == 1)
            #expect(reply["error"] == nil)
            let result = try #require(reply["result"] as? [String: Any])
            #expect(result["healthy"] as? Bool == true)
            let checks = try #require(result["checks"] as? [String: [String: Any]])
            #expect(!checks.isEmpty)
            for (name, check) in checks {
                #expect(check["timestamp"] is String, "\(name) timestamp")
                #expect(check["duration"] is Int, "\(name) duration")
                #expect(check["contiguousFailures"] as? Int == 0, "\(name) contiguousFailures")
                #expect(check.keys.contains("timeOfFirstFailure"), "\(name) timeOfFirstFailure")
                #expect(check["timeOfFirstFailure"] is NSNull, "\(name) timeOfFirstFailure is null")
            }
            let heartbeat = try #require(checks["server.heartbeat"]?["message"] as? [String: Any])
            let beat = try #require(heartbeat["heartbeat"] as? Int)
            #expect(abs(beat - Int(Date().timeIntervalSince1970)) < 3600)
            let timestamp = try #require(checks["server.heartbeat"]?["timestamp"] as? String)
            #expect(
                timestamp.range(
                    of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression)
                    != nil)
        }
    }

    @Test("GET /ext/health answers 200 while healthy")
    func getHealthy() async throws {
        try await withServer { client in
            #expect(try await eventually { try await client.get("/ext/health").status == 200 })
            let response = try await client.get("/ext/health")
            #expect(response.headers["Content-Type"].first == "application/json")
            let body = try TestClient.object(response)
            #expect(body["healthy"] as? Bool == true)
            #expect((body["checks"] as? [String: Any])?["storage.writable"] != nil)
        }
    }

    @Test("a --check at a closed port turns GET /ext/health 503 after its first run, with the error")
    func closedPortCheck() async throws {
        let port = try await closedLocalPort()
        let declaration = try CheckDeclaration(flag: "backend=tcp://127.0.0.1:\(port);interval=1s")
        try await withServer(checks: [declaration]) { client in
            var body: [String: Any] = [:]
            #expect(
                try await eventually {
                    let response = try await client.get("/ext/health")
                    body = try TestClient.object(response)
                    let backend = (body["checks"] as? [String: [String: Any]])?["backend"]
                    return response.status == 503 && backend?["contiguousFailures"] != nil
                })
            let backend = try #require((body["checks"] as? [String: [String: Any]])?["backend"])
            #expect(body["healthy"] as? Bool == false)
            #expect(backend["error"] as? String == "connect to 127.0.0.1:\(port) failed: connection refused")
            #expect((backend["contiguousFailures"] as? Int ?? 0) >= 1)
            #expect(backend["timeOfFirstFailure"] is String)
            // The legacy call shows the same failure in the seed's shape.
            let legacy = try TestClient.object(
                try await client.post("/ext/health", json: Self.seedBody, contentType: "application/json;"))
            let result = try #require(legacy["result"] as? [String: Any])
            #expect(result["healthy"] as? Bool == false)
            let legacyBackend = try #require((result["checks"] as? [String: [String: Any]])?["backend"])
            #expect((legacyBackend["error"] as? [String: Any])?["message"] as? String != nil)
            #expect(legacyBackend["timeOfFirstFailure"] is String)
        }
    }

    @Test("an HTTP --check follows its target: 503 on a 500, 200 again once it recovers")
    func httpCheckFollowsTarget() async throws {
        let target = TestHTTPServer(.init(status: 500))
        let port = try await target.start()
        defer { Task { await target.stop() } }
        let declaration = try CheckDeclaration(flag: "api=http://127.0.0.1:\(port)/health;interval=200ms")
        try await withServer(checks: [declaration]) { client in
            #expect(try await eventually { try await client.get("/ext/health").status == 503 })
            let failing = try TestClient.object(try await client.get("/ext/health"))
            let api = try #require((failing["checks"] as? [String: [String: Any]])?["api"])
            #expect(api["error"] as? String == "unexpected status code: 500, expected 200-399")
            target.setBehavior(.init(status: 200))
            #expect(try await eventually { try await client.get("/ext/health").status == 200 })
        }
    }
}
