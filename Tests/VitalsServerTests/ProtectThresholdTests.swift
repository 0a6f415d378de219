import Foundation
import HealthChecks
import HealthProbes
import NIOHTTP1
import TestSupport
import Testing

@testable import VitalsServer

@Suite("Protect threshold and Nacos verdict rules", .timeLimit(.minutes(1)))
struct ProtectThresholdTests {
    static let form = "application/x-www-form-urlencoded"

    func send(_ client: TestClient, _ method: HTTPMethod, _ path: String, _ body: String) async throws {
        let response = try await client.request(method, path, headers: [("Content-Type", Self.form)], body: body)
        #expect(response.status == 200, "\(path) \(body) -> \(response.bodyText)")
    }

    func list(_ client: TestClient) async throws -> (
        protected: Bool, hosts: [(port: Int, healthy: Bool, trueHealthy: Bool)]
    ) {
        let body = try TestClient.object(try await client.get("/nacos/v1/ns/instance/list?serviceName=guarded"))
        let hosts = (body["hosts"] as? [[String: Any]] ?? []).map {
            (
                port: $0["port"] as? Int ?? 0, healthy: $0["healthy"] as? Bool ?? false,
                trueHealthy: $0["trueHealthy"] as? Bool ?? false
            )
        }
        return (body["reachProtectionThreshold"] as? Bool ?? false, hosts.sorted { $0.port < $1.port })
    }

    func prepare(_ client: TestClient) async throws {
        try await send(client, .POST, "/nacos/v2/ns/service", "serviceName=guarded&ephemeral=true&protectThreshold=0.5")
        try await send(client, .POST, "/nacos/v2/ns/instance", "serviceName=guarded&ip=127.0.0.1&port=7101")
        try await send(client, .POST, "/nacos/v2/ns/instance", "serviceName=guarded&ip=127.0.0.1&port=7102")
        try await send(
            client, .PUT, "/nacos/v2/ns/health/instance", "serviceName=guarded&ip=127.0.0.1&port=7102&healthy=false")
    }

    @Test("at or below the threshold every host is reported healthy, and trueHealthy tells the truth")
    func protection() async throws {
        try await withServer { client in
            try await prepare(client)
            let (protected, hosts) = try await list(client)
            #expect(protected)
            #expect(hosts.map(\.healthy) == [true, true])
            #expect(hosts.map(\.trueHealthy) == [true, false])
        }
    }

    @Test("the threshold can be turned off")
    func protectionOff() async throws {
        let off: (inout ServerConfiguration) -> Void = { $0.registry.protectThresholdEnabled = false }
        try await withServer(configure: off) { client in
            try await prepare(client)
            let (protected, hosts) = try await list(client)
            #expect(!protected)
            #expect(hosts.map(\.healthy) == [true, false])
        }
    }

    @Test("Nacos rules: refused and unexpected statuses fail at once; timeouts, 503 and 302 count")
    func verdictRules() async throws {
        let server = TestHTTPServer(.init(status: 503))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let prober = HTTPProber()
        func verdict(status: Int) async throws -> Bool? {
            server.setBehavior(.init(status: status))
            let check = NacosRulesCheck(
                inner: HTTPCheck(
                    name: "c",
                    configuration: .init(
                        url: ProbeTarget(scheme: .http, host: "127.0.0.1", port: port),
                        expectedStatus: try StatusExpectation(parsing: "200")),
                    prober: prober))
            do {
                _ = try await check.run()
                return nil
            } catch let failure as CheckFailure {
                return failure.immediate
            }
        }
        #expect(try await verdict(status: 200) == nil)
        #expect(try await verdict(status: 503) == false)
        #expect(try await verdict(status: 302) == false)
        #expect(try await verdict(status: 500) == true)
        #expect(try await verdict(status: 404) == true)
        let closed = try await closedLocalPort()
        let refused = NacosRulesCheck(
            inner: TCPCheck(name: "t", target: ProbeTarget(scheme: .tcp, host: "127.0.0.1", port: closed)))
        await #expect {
            try await refused.run()
        } throws: { error in
            (error as? CheckFailure)?.immediate == true
        }
    }
}
