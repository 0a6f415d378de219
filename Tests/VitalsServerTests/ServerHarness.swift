import Foundation
import Logging
import TestSupport
import VitalsServer

/// Runs a real Vitals server in-process on an ephemeral 127.0.0.1 port for the duration of `body`.
func withServer(
    checks: [CheckDeclaration] = [],
    dataDirectory: String? = nil,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (TestClient) async throws -> Void
) async throws {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.dataDirectory = dataDirectory ?? temporaryDirectory()
    configuration.checks = checks
    configure(&configuration)
    var logger = Logger(label: "vitals-test")
    logger.logLevel = .critical
    let server = VitalsServer(configuration: configuration, logger: logger)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("server did not start") }
        let client = TestClient(port: port)
        // Wait for the node's own checks to complete their first run.
        _ = try await eventually { try await client.get("/ext/health/readiness").status == 200 }
        try await body(client)
        group.cancelAll()
    }
    if dataDirectory == nil { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
}
