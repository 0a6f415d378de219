import Foundation
import HealthProbes
import NIOHTTP1
import TestSupport
import Testing
import VitalsServer

@Suite("Registry: server-side checks and beats", .timeLimit(.minutes(2)))
struct RegistryHealthTests {
    static let form = "application/x-www-form-urlencoded"

    func send(_ client: TestClient, _ method: HTTPMethod, _ path: String, _ body: String) async throws -> Int {
        let response = try await client.request(
            method, path, headers: [("Content-Type", Self.form)], body: body)
        #expect(response.status == 200, "\(path) \(body) -> \(response.status) \(response.bodyText)")
        return response.status
    }

    func healthy(_ client: TestClient, service: String, port: Int) async throws -> Bool? {
        let list = try TestClient.object(try await client.get("/nacos/v1/ns/instance/list?serviceName=\(service)"))
        let hosts = list["hosts"] as? [[String: Any]] ?? []
        return hosts.first { $0["port"] as? Int == port }?["trueHealthy"] as? Bool
    }

    func causes(_ client: TestClient, service: String, port: Int) async throws -> [String] {
        let history = try TestClient.object(
            try await client.get("/vitals/v1/ns/instance/history?serviceName=\(service)&ip=127.0.0.1&port=\(port)"))
        return (history["data"] as? [[String: Any]])?.compactMap { $0["cause"] as? String } ?? []
    }

    @Test("a cluster HTTP checker (set the Nacos way) and a check declared in metadata follow their target")
    func checksFollowTarget() async throws {
        let target = TestHTTPServer()
        let port = try await target.start()
        try await withServer { client in
            // Persistent instance; its cluster gets an HTTP checker on the instance port.
            _ = try await send(
                client, .POST, "/nacos/v1/ns/instance",
                "serviceName=orders&ip=127.0.0.1&port=\(port)&ephemeral=false&clusterName=web")
            let checker =
                #"{"type":"HTTP","path":"/health","headers":"X-Probe:vitals"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let metadata =
                #"{"vitals.check.interval":"200","vitals.check.rise":"2","vitals.check.fall":"2"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            _ = try await send(
                client, .PUT, "/nacos/v1/ns/cluster",
                "serviceName=orders&clusterName=web&checkPort=80&useInstancePort4Check=true&healthChecker=\(checker)&metadata=\(metadata)"
            )
            // Ephemeral instance that declares its own check.
            let declared =
                #"{"vitals.check.type":"HTTP","vitals.check.path":"/ready","vitals.check.interval":"200"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            _ = try await send(
                client, .POST, "/nacos/v2/ns/instance",
                "serviceName=carts&ip=127.0.0.1&port=\(port)&metadata=\(declared)")

            #expect(try await eventually { target.requestsServed >= 4 })
            #expect(try await healthy(client, service: "orders", port: port) == true)
            #expect(try await healthy(client, service: "carts", port: port) == true)

            // 500: an unexpected status fails at once (Nacos's rule) for both.
            target.setBehavior(.init(status: 500))
            let failedAt = ContinuousClock.now
            #expect(try await eventually { try await healthy(client, service: "orders", port: port) == false })
            #expect(try await eventually { try await healthy(client, service: "carts", port: port) == false })
            // Reported, not asserted: interval 200 ms, a 500 fails at once (polling adds up to 50 ms).
            print("detection of a 500, both instances: \(ContinuousClock.now - failedAt)")
            // Recovery needs `rise` successes for the cluster checker.
            target.setBehavior(.init(status: 200))
            let recoveredAt = ContinuousClock.now
            #expect(try await eventually { try await healthy(client, service: "orders", port: port) == true })
            print("recovery with rise 2 at 200 ms: \(ContinuousClock.now - recoveredAt)")
            #expect(try await eventually { try await healthy(client, service: "carts", port: port) == true })
            // The target stops: refused connections fail at once.
            await target.stop()
            #expect(try await eventually { try await healthy(client, service: "orders", port: port) == false })
            #expect(try await eventually { try await healthy(client, service: "carts", port: port) == false })
            let restarted = TestHTTPServer()
            try await restarted.start(port: port)
            defer { Task { await restarted.stop() } }
            #expect(try await eventually { try await healthy(client, service: "orders", port: port) == true })
            #expect(try await eventually { try await healthy(client, service: "carts", port: port) == true })

            let orders = try await causes(client, service: "orders", port: port)
            #expect(orders.contains("cluster check failed: unexpected status code: 500, expected 200"))
            #expect(orders.contains { $0.hasPrefix("cluster check failed: connect to 127.0.0.1:\(port) failed") })
            #expect(orders.contains("cluster check passed"))
            let carts = try await causes(client, service: "carts", port: port)
            #expect(carts.contains("declared check failed: unexpected status code: 500, expected 200-399"))
            #expect(restarted.lastRequestHead?.uri == "/ready" || restarted.lastRequestHead?.uri == "/health")
        }
    }

    @Test("beat expiry, shortened through metadata, turns an instance unhealthy and then removes it")
    func beatExpiry() async throws {
        let shortSweep: (inout ServerConfiguration) -> Void = { $0.registry.sweepInterval = .milliseconds(100) }
        try await withServer(configure: shortSweep) { client in
            let metadata =
                #"{"preserved.heart.beat.interval":"100","preserved.heart.beat.timeout":"400","preserved.ip.delete.timeout":"1200"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            _ = try await send(
                client, .POST, "/nacos/v1/ns/instance", "serviceName=beats&ip=127.0.0.1&port=7001&metadata=\(metadata)")
            let beat = try await client.request(
                .PUT, "/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40beats&ip=127.0.0.1&port=7001")
            let reply = try TestClient.object(beat)
            #expect(reply["code"] as? Int == 10200)
            #expect(reply["clientBeatInterval"] as? Int == 100)
            #expect(try await eventually { try await healthy(client, service: "beats", port: 7001) == false })
            #expect(try await causes(client, service: "beats", port: 7001).last == "no beat for 0.4 seconds")
            // A beat brings it back while it still exists.
            _ = try await client.request(
                .PUT, "/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40beats&ip=127.0.0.1&port=7001")
            #expect(try await healthy(client, service: "beats", port: 7001) == true)
            #expect(try await eventually { try await healthy(client, service: "beats", port: 7001) == nil })
            let unknown = try TestClient.object(
                try await client.request(
                    .PUT, "/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40beats&ip=127.0.0.1&port=7001"))
            #expect(unknown["code"] as? Int == 20404)
        }
    }

    @Test("a beat with its instance registers an unknown instance")
    func beatRegisters() async throws {
        try await withServer { client in
            let beat =
                #"{"serviceName":"DEFAULT_GROUP@@lazy","ip":"127.0.0.1","port":7002,"weight":2,"cluster":"c1"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let reply = try TestClient.object(
                try await client.request(
                    .PUT, "/nacos/v1/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40lazy&beat=\(beat)"))
            #expect(reply["code"] as? Int == 10200)
            let detail = try TestClient.object(
                try await client.get("/nacos/v1/ns/instance?serviceName=lazy&ip=127.0.0.1&port=7002"))
            #expect(detail["clusterName"] as? String == "c1")
            #expect(detail["weight"] as? Double == 2)
        }
    }
}

@Suite("Registry probes cannot reach metadata services", .timeLimit(.minutes(1)))
struct RegistryProbeSafetyTests {
    @Test("a check declared at 169.254.169.254 is refused with a clear reason")
    func declaredMetadataCheck() async throws {
        try await withServer { client in
            let metadata =
                #"{"vitals.check.type":"HTTP","vitals.check.path":"/latest/meta-data"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let response = try await client.request(
                .POST, "/nacos/v2/ns/instance", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "serviceName=sneaky&ip=169.254.169.254&port=80&metadata=\(metadata)")
            #expect(response.status == 200)
            var causes: [String] = []
            #expect(
                try await eventually {
                    let history = try TestClient.object(
                        try await client.get(
                            "/vitals/v1/ns/instance/history?serviceName=sneaky&ip=169.254.169.254&port=80"))
                    causes = (history["data"] as? [[String: Any]])?.compactMap { $0["cause"] as? String } ?? []
                    return causes.count >= 2
                })
            #expect(
                causes.last
                    == "declared check failed: probe to 169.254.169.254:80 refused: 169.254.169.254 is in 169.254.0.0/16, which probes may not reach (link-local or cloud metadata)"
            )
        }
    }
}

@Suite("Registry: declared gRPC checks", .timeLimit(.minutes(1)))
struct RegistryGRPCCheckTests {
    @Test("an instance declaring a gRPC check flips with its target's serving status")
    func grpcDeclaredCheck() async throws {
        let target = TestGRPCHealthServer(["payments": .serving])
        let grpcPort = try await target.start()
        defer { target.stop() }
        try await withServer { client in
            let metadata =
                #"{"vitals.check.type":"GRPC","vitals.check.port":"\#(grpcPort)","vitals.check.service":"payments","vitals.check.interval":"200"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let response = try await client.request(
                .POST, "/nacos/v2/ns/instance", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "serviceName=payments&ip=127.0.0.1&port=9000&metadata=\(metadata)")
            #expect(response.status == 200)
            func healthy() async throws -> Bool? {
                let list = try TestClient.object(
                    try await client.get("/nacos/v1/ns/instance/list?serviceName=payments"))
                return (list["hosts"] as? [[String: Any]])?.first?["trueHealthy"] as? Bool
            }
            #expect(try await eventually { try await healthy() == true })
            target.set("payments", .notServing)
            #expect(try await eventually { try await healthy() == false })
            target.set("payments", .serving)
            #expect(try await eventually { try await healthy() == true })
        }
    }
}

@Suite("Probe allow-lists from the configuration", .timeLimit(.minutes(1)))
struct ProbeAllowListTests {
    @Test("the probes section parses; bad ranges are refused by name")
    func parsing() throws {
        let path = temporaryDirectory() + "/probes.yaml"
        try "probes:\n  allow: [\"10.0.0.0/8\", \"127.0.0.0/8\"]\n  deny: [\"127.0.0.2/32\"]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ServerConfiguration.resolve(
            file: try ServerConfiguration.loadFile(at: path), environment: .init(), flags: .init())
        #expect(configuration.probePolicy.refusal(for: "127.0.0.1") == nil)
        #expect(configuration.probePolicy.refusal(for: "127.0.0.2") != nil)
        #expect(configuration.probePolicy.refusal(for: "192.0.2.1")?.contains("allow-list") == true)
        #expect(configuration.probePolicy.refusal(for: "169.254.169.254") != nil)
        try "probes:\n  allow: [\"nonsense\"]\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ServerConfiguration.resolve(
                file: try ServerConfiguration.loadFile(at: path), environment: .init(), flags: .init())
        } throws: { error in
            String(describing: error).contains("probes.allow: 'nonsense'")
        }
    }

    @Test("a node check outside the allow-list fails with the reason, without probing")
    func nodeCheckRefused() async throws {
        let target = TestHTTPServer()
        let port = try await target.start()
        defer { Task { await target.stop() } }
        let onlyDocumentation: (inout ServerConfiguration) -> Void = { configuration in
            configuration.probePolicy = ProbePolicy(
                denied: ProbePolicy.default.denied,
                allowed: [(try? AddressRange(parsing: "192.0.2.0/24"))].compactMap { $0 })
        }
        let check = try CheckDeclaration(flag: "api=http://127.0.0.1:\(port)/;interval=200ms")
        try await withServer(checks: [check], configure: onlyDocumentation) { client in
            var error: String?
            _ = try await eventually {
                let body = try TestClient.object(try await client.get("/ext/health"))
                error = ((body["checks"] as? [String: [String: Any]])?["api"])?["error"] as? String
                return error != nil && error != "not yet run"
            }
            #expect(error == "probe to 127.0.0.1:\(port) refused: 127.0.0.1 is outside the probe allow-list")
            #expect(target.requestsServed == 0)
        }
    }
}
