import Foundation
import HealthChecks
import Hummingbird
import Registry
import TestSupport
import Testing
import Yams

@testable import VitalsServer

/// `openapi.yaml` (repository root) and the server's router describe the same HTTP API.
@Suite("openapi.yaml matches the server's routes")
struct OpenAPITests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `METHOD /path` for every operation of `openapi.yaml`; path templates as `{name}`.
    static func documentedOperations() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any],
            let paths = document["paths"] as? [String: Any]
        else {
            throw TestFailure("openapi.yaml has no paths")
        }
        var operations = Set<String>()
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { throw TestFailure("path item \(path) is not a mapping") }
            for key in item.keys where methods.contains(key) {
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// `METHOD /path` for every route the server registers; Hummingbird writes captures as `{name}` too.
    static func serverRoutes() -> Set<String> {
        let registry = Registry(store: EmptyStore(), probes: NoProbes())
        let router = VitalsServer.makeRouter(engine: HealthEngine(), registry: registry, heartbeat: RequestHeartbeat())
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    @Test("every route the server registers is in openapi.yaml")
    func routesAreDocumented() throws {
        let documented = try Self.documentedOperations()
        let routes = Self.serverRoutes()
        #expect(routes.count > 50, "the router lists \(routes.count) routes")
        let missing = routes.subtracting(documented).sorted()
        #expect(missing.isEmpty, "routes missing from openapi.yaml:\n\(missing.joined(separator: "\n"))")
    }

    @Test("every operation in openapi.yaml is a route the server registers")
    func documentedOperationsExist() throws {
        let extra = try Self.documentedOperations().subtracting(Self.serverRoutes()).sorted()
        #expect(
            extra.isEmpty, "operations in openapi.yaml the server does not serve:\n\(extra.joined(separator: "\n"))")
    }

    @Test("operation ids are unique and every operation documents its answers")
    func operationsAreComplete() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let document = try Yams.load(yaml: text) as? [String: Any]
        let paths = document?["paths"] as? [String: Any] ?? [:]
        var ids: [String] = []
        for (path, item) in paths {
            for (method, operation) in item as? [String: Any] ?? [:] where Self.methods.contains(method) {
                let operation = operation as? [String: Any] ?? [:]
                let id = operation["operationId"] as? String
                #expect(id != nil, "\(method) \(path) has no operationId")
                ids.append(id ?? "")
                let responses = operation["responses"] as? [String: Any] ?? [:]
                #expect(!responses.isEmpty, "\(method) \(path) documents no response")
            }
        }
        #expect(Set(ids).count == ids.count, "duplicate operationId")
    }
}

/// A store with nothing in it that accepts every write: the router test needs a registry, not data.
private struct EmptyStore: RegistryStore {
    func load() async throws -> RegistrySnapshot { RegistrySnapshot() }
    func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws { apply() }
}

private struct NoProbes: ProbeFactory {
    func makeCheck(name: String, spec: ProbeSpec) -> any Check {
        ClosureCheck(name) { nil }
    }
}
