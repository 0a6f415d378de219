import HealthChecks
import Logging
import ServiceLifecycle

/// On graceful shutdown (SIGTERM/SIGINT), registers the failing `shuttingDown` check and keeps
/// serving for the grace period, so load balancers see the node go unhealthy before it exits.
///
/// It is the last service of the group, so it shuts down first while the HTTP server still runs.
struct ShutdownDrain: Service {
    let engine: HealthEngine
    let grace: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: no drain
        }
        LifecycleChecks.registerShuttingDown(on: engine)
        logger.notice("shutting down: draining", metadata: ["grace": "\(DurationFormat.short(grace))"])
        try? await Task.sleep(for: grace)
    }
}
