import HealthProbes
import TestSupport
import Testing

@Suite("Probe policy: no open proxy towards metadata services", .timeLimit(.minutes(1)))
struct ProbePolicyTests {
    @Test(
        "link-local and cloud-metadata addresses are refused by default",
        arguments: ["169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254"])
    func deniedByDefault(address: String) {
        #expect(ProbePolicy.default.refusal(for: address) != nil)
    }

    @Test("ordinary addresses pass by default", arguments: ["127.0.0.1", "::1", "8.8.8.8", "fd00:ec2::253"])
    func allowedByDefault(address: String) {
        #expect(ProbePolicy.default.refusal(for: address) == nil)
    }

    @Test("an allow-list limits probes to its ranges")
    func allowList() throws {
        let policy = ProbePolicy(
            denied: ProbePolicy.default.denied, allowed: [try AddressRange(parsing: "127.0.0.0/8")])
        #expect(policy.refusal(for: "127.3.2.1") == nil)
        #expect(policy.refusal(for: "10.1.2.3")?.contains("allow-list") == true)
        #expect(throws: ProbeError.self) { try AddressRange(parsing: "10.0.0.0/33") }
        #expect(throws: ProbeError.self) { try AddressRange(parsing: "not-an-address") }
    }

    @Test("TCP and HTTP checks at 169.254.169.254 fail with the reason, before sending anything")
    func refusedChecks() async throws {
        let metadata = ProbeTarget(scheme: .tcp, host: "169.254.169.254", port: 80)
        await #expect {
            try await TCPCheck(name: "meta", target: metadata).run()
        } throws: { error in
            String(describing: error).hasPrefix(
                "probe to 169.254.169.254:80 refused: 169.254.169.254 is in 169.254.0.0/16")
        }
        let http = HTTPCheck(
            name: "meta",
            configuration: .init(url: try ProbeTarget(parsing: "http://169.254.169.254/latest/meta-data")),
            prober: HTTPProber())
        await #expect {
            try await http.run()
        } throws: { error in
            String(describing: error).contains("refused")
        }
    }

    @Test("a host name resolving to a refused address is refused after connecting, before the request")
    func refusedAfterResolution() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let onlyElsewhere = ProbePolicy(denied: [], allowed: [try AddressRange(parsing: "192.0.2.0/24")])
        let prober = HTTPProber(configuration: .init(policy: onlyElsewhere))
        let check = HTTPCheck(
            name: "named", configuration: .init(url: try ProbeTarget(parsing: "http://localhost:\(port)/")),
            prober: prober)
        await #expect {
            try await check.run()
        } throws: { error in
            String(describing: error).contains("outside the probe allow-list")
        }
        #expect(server.requestsServed == 0)
    }
}
