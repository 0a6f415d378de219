import HealthChecks
import Synchronization

/// Readiness that passes once the HTTP server is listening, and the drain signal on shutdown.
final class LifecycleChecks: Sendable {
    static let startedName = "server.started"
    static let shuttingDownName = "shuttingDown"

    private let listening = Atomic<Bool>(false)

    func markListening() {
        listening.store(true, ordering: .relaxed)
    }

    /// Readiness check: fails until the server listens, then (being readiness) stays passed.
    func startedCheck() -> ClosureCheck {
        ClosureCheck(Self.startedName) {
            guard self.listening.load(ordering: .relaxed) else { throw CheckFailure("server is starting") }
            return nil
        }
    }

    /// Registered on SIGTERM in both readiness and health, so load balancers drain this node.
    static func registerShuttingDown(on engine: HealthEngine) {
        let options = CheckOptions(interval: .seconds(1), tags: [CheckTag.application])
        for kind in [CheckKind.readiness, .health] {
            try? engine.register(
                ClosureCheck(shuttingDownName) { throw CheckFailure("server is shutting down") }, kind: kind,
                options: options)
        }
    }
}
