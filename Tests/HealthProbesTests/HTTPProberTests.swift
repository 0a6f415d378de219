import HealthChecks
import HealthProbes
import TestSupport
import Testing

@Suite("HTTP probe", .timeLimit(.minutes(1)))
struct HTTPProberTests {
    let prober = HTTPProber()

    func target(_ port: Int, path: String = "/health") -> ProbeTarget {
        ProbeTarget(scheme: .http, host: "127.0.0.1", port: port, pathAndQuery: path)
    }

    @Test("keep-alive mode reuses one connection for many checks")
    func keepAliveReuses() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        for _ in 0..<20 { _ = try await check.run() }
        #expect(server.requestsServed == 20)
        #expect(server.connectionsAccepted == 1)
        #expect(server.lastRequestHead?.uri == "/health")
        #expect(server.lastRequestHead?.headers["User-Agent"].first == "vitals-probe/1")
    }

    @Test("fresh mode opens a new connection for every check")
    func freshConnections() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port), mode: .fresh), prober: prober)
        for _ in 0..<5 { _ = try await check.run() }
        #expect(server.connectionsAccepted == 5)
        #expect(server.lastRequestHead?.headers["Connection"].first == "close")
    }

    @Test("a server closing kept-alive connections is handled without false failures")
    func serverCloses() async throws {
        let server = TestHTTPServer(.init(closeConnections: true))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        for _ in 0..<5 { _ = try await check.run() }
        #expect(server.connectionsAccepted == 5)
    }

    @Test("statuses outside the expected set fail with the code in the error")
    func unexpectedStatus() async throws {
        let server = TestHTTPServer(.init(status: 500))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        await #expect(throws: ProbeError.unexpectedStatus(500, expected: "200-399")) { try await check.run() }
        let strict = HTTPCheck(
            name: "api", configuration: .init(url: target(port), expectedStatus: try StatusExpectation(parsing: "500")),
            prober: prober)
        _ = try await strict.run()
    }

    @Test("redirects are not followed and pass by default")
    func redirects() async throws {
        let server = TestHTTPServer(.init(status: 302))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        _ = try await check.run()
        #expect(server.requestsServed == 1)
    }

    @Test("the body must contain the expected text when one is set")
    func bodyMatch() async throws {
        let server = TestHTTPServer(.init(body: "status: degraded"))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let good = HTTPCheck(
            name: "a", configuration: .init(url: target(port), expectedBody: "degraded"), prober: prober)
        _ = try await good.run()
        let bad = HTTPCheck(name: "b", configuration: .init(url: target(port), expectedBody: "green"), prober: prober)
        await #expect(throws: ProbeError.bodyMismatch(expected: "green")) { try await bad.run() }
    }

    @Test("a closed port fails with connection refused")
    func refused() async throws {
        let port = try await closedLocalPort()
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        await #expect(throws: ProbeError.connectFailed(target: "127.0.0.1:\(port)", reason: "connection refused")) {
            try await check.run()
        }
        #expect(prober.openConnections(to: target(port)) == 0)
    }

    @Test("a server that never answers fails at the request deadline")
    func requestTimeout() async throws {
        let server = TestHTTPServer(.init(hang: true))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let check = HTTPCheck(
            name: "api", configuration: .init(url: target(port), timeout: .milliseconds(200)), prober: prober)
        await #expect(throws: ProbeError.timedOut(target: "127.0.0.1:\(port)")) { try await check.run() }
        #expect(prober.openConnections(to: target(port)) <= 1)
    }

    @Test("concurrent checks to one target never exceed the connection cap")
    func connectionCap() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let capped = HTTPProber(configuration: .init(maxConnectionsPerTarget: 2))
        // 50 checks queue for 2 connections: a generous deadline keeps a loaded machine from failing them.
        let check = HTTPCheck(
            name: "api", configuration: .init(url: target(port), timeout: .seconds(60)), prober: capped)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 { group.addTask { _ = try await check.run() } }
            try await group.waitForAll()
        }
        #expect(server.requestsServed == 50)
        #expect(server.connectionsAccepted <= 2)
    }

    @Test("a recovered target passes again")
    func recovers() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        let check = HTTPCheck(name: "api", configuration: .init(url: target(port)), prober: prober)
        _ = try await check.run()
        await server.stop()
        await #expect(throws: ProbeError.connectFailed(target: "127.0.0.1:\(port)", reason: "connection refused")) {
            try await check.run()
        }
        let restarted = TestHTTPServer()
        try await restarted.start(port: port)
        defer { Task { await restarted.stop() } }
        _ = try await check.run()
    }
}

@Suite("Probe targets and TCP/DNS checks", .timeLimit(.minutes(1)))
struct ProbeTargetTests {
    @Test("URLs parse into scheme, host, port and path")
    func parsing() throws {
        let http = try ProbeTarget(parsing: "http://127.0.0.1:8080/health?full=1")
        #expect(http == ProbeTarget(scheme: .http, host: "127.0.0.1", port: 8080, pathAndQuery: "/health?full=1"))
        #expect(try ProbeTarget(parsing: "https://example.com").port == 443)
        #expect(try ProbeTarget(parsing: "tcp://[::1]:5432").host == "::1")
        #expect(try ProbeTarget(parsing: "tcp://[::1]:5432").authority == "[::1]:5432")
        #expect(throws: ProbeError.invalidTarget("'tcp://db' needs a port")) { try ProbeTarget(parsing: "tcp://db") }
        #expect(throws: ProbeError.self) { try ProbeTarget(parsing: "ftp://x:1") }
        #expect(throws: ProbeError.self) { try ProbeTarget(parsing: "not a url") }
    }

    @Test("status expectations parse codes and ranges")
    func statusExpectation() throws {
        let expectation = try StatusExpectation(parsing: "200-299, 304")
        #expect(expectation.accepts(204))
        #expect(expectation.accepts(304))
        #expect(!expectation.accepts(301))
        #expect(expectation.description == "200-299,304")
        #expect(throws: ProbeError.self) { try StatusExpectation(parsing: "299-200") }
        #expect(throws: ProbeError.self) { try StatusExpectation(parsing: "abc") }
    }

    @Test("TCP checks pass on an open port and fail with the reason on a closed one")
    func tcp() async throws {
        let server = TestHTTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let open = TCPCheck(name: "db", target: ProbeTarget(scheme: .tcp, host: "127.0.0.1", port: port))
        _ = try await open.run()
        let closedPort = try await closedLocalPort()
        let closed = TCPCheck(name: "db", target: ProbeTarget(scheme: .tcp, host: "127.0.0.1", port: closedPort))
        await #expect(throws: ProbeError.connectFailed(target: "127.0.0.1:\(closedPort)", reason: "connection refused"))
        {
            try await closed.run()
        }
    }

    @Test("DNS checks resolve names and fail on unknown ones")
    func dns() async throws {
        let details = try await DNSCheck(name: "dns", host: "localhost").run()
        #expect((details as? DNSCheckDetails)?.addresses.isEmpty == false)
        await #expect(throws: ProbeError.self) {
            try await DNSCheck(name: "dns", host: "no-such-host.invalid").run()
        }
        await #expect(throws: ProbeError.tooFewAddresses(host: "127.0.0.1", found: 1, required: 50)) {
            _ = try await DNSCheck(name: "dns", host: "127.0.0.1", minimumAddresses: 50).run()
        }
    }
}

@Suite("HTTPS probe", .timeLimit(.minutes(1)))
struct HTTPSProberTests {
    @Test("https checks pass with verification off and fail on an untrusted certificate by default")
    func selfSigned() async throws {
        let server = TestHTTPServer(tls: try selfSignedTLS())
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let target = ProbeTarget(scheme: .https, host: "127.0.0.1", port: port, pathAndQuery: "/health")
        let prober = HTTPProber()
        let insecure = HTTPCheck(name: "tls", configuration: .init(url: target, verifyTLS: false), prober: prober)
        for _ in 0..<3 { _ = try await insecure.run() }
        #expect(server.requestsServed == 3)
        #expect(server.connectionsAccepted == 1)
        let strict = HTTPCheck(name: "tls", configuration: .init(url: target), prober: prober)
        await #expect(throws: ProbeError.self) { try await strict.run() }
        #expect(server.requestsServed == 3)
    }
}
