import Foundation
import HealthChecks
import Hummingbird
import Synchronization

/// The unix time of the last request served, like AvalancheGo's `network.validators.heartbeat`.
final class RequestHeartbeat: Sendable {
    private let lastRequest = Atomic<Int64>(Int64(Date().timeIntervalSince1970))

    var unixTime: Int64 { lastRequest.load(ordering: .relaxed) }

    func beat() {
        lastRequest.store(Int64(Date().timeIntervalSince1970), ordering: .relaxed)
    }

    /// A check reporting the heartbeat in its `message`; it passes while the server runs.
    func check() -> ClosureCheck {
        ClosureCheck("server.heartbeat") { ["heartbeat": self.unixTime] }
    }
}

/// Records every request in the heartbeat.
struct HeartbeatMiddleware<Context: RequestContext>: RouterMiddleware {
    let heartbeat: RequestHeartbeat

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        defer { heartbeat.beat() }
        return try await next(request, context)
    }
}
