import HealthProbes
import TestSupport
import Testing

@Suite("gRPC health checks", .timeLimit(.minutes(1)))
struct GRPCHealthCheckTests {
    @Test("passes on SERVING, fails with the status otherwise, and names unknown services")
    func servingStatus() async throws {
        let target = TestGRPCHealthServer(["": .serving, "orders": .notServing])
        let port = try await target.start()
        defer { target.stop() }
        let address = ProbeTarget(scheme: .grpc, host: "127.0.0.1", port: port)
        _ = try await GRPCHealthCheck(name: "server", target: address).run()
        await #expect {
            try await GRPCHealthCheck(name: "orders", target: address, service: "orders").run()
        } throws: { error in
            String(describing: error).contains("notServing")
        }
        target.set("orders", .serving)
        _ = try await GRPCHealthCheck(name: "orders", target: address, service: "orders").run()
        await #expect {
            try await GRPCHealthCheck(name: "nope", target: address, service: "nope").run()
        } throws: { error in
            String(describing: error).contains("notFound")
        }
    }

    @Test("a closed port fails")
    func closed() async throws {
        let port = try await closedLocalPort()
        await #expect(throws: ProbeError.self) {
            try await GRPCHealthCheck(
                name: "gone", target: ProbeTarget(scheme: .grpc, host: "127.0.0.1", port: port), timeout: .seconds(2)
            ).run()
        }
    }
}
