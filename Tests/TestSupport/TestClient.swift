import Foundation
import HealthProbes
import NIOHTTP1

/// A small HTTP client for integration tests, built on the project's own SwiftNIO prober.
public struct TestClient: Sendable {
    public let port: Int
    private let prober = HTTPProber(configuration: .init(maxConnectionsPerTarget: 4, bodyLimit: 4 * 1024 * 1024))

    public init(port: Int) {
        self.port = port
    }

    public func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> HTTPProbeResponse {
        let target = ProbeTarget(scheme: .http, host: "127.0.0.1", port: port, pathAndQuery: path)
        return try await prober.execute(
            HTTPProbeRequest(target: target, method: method, headers: headers, body: body.map { Array($0.utf8) }),
            timeout: .seconds(10))
    }

    public func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPProbeResponse {
        try await request(.GET, path, headers: headers)
    }

    public func post(_ path: String, json: String, contentType: String = "application/json") async throws
        -> HTTPProbeResponse
    {
        try await request(.POST, path, headers: [("Content-Type", contentType)], body: json)
    }

    /// Parses the body as a JSON object.
    public static func object(_ response: HTTPProbeResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TestFailure("body is not a JSON object: \(response.bodyText)")
        }
        return object
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` up to `attempts` times, 50 ms apart; for waiting on background checks
/// without asserting anything about time.
public func eventually(attempts: Int = 200, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// A fresh temporary directory.
public func temporaryDirectory(_ prefix: String = "vitals-test") -> String {
    let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
