import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// The fast path's request metrics, under the names and labels Hummingbird's `MetricsMiddleware`
/// uses, so `/metrics` counts every request whichever path served it.
final class HotRouteMetrics: Sendable {
    private struct Key: Hashable {
        let path: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private struct Meters: Sendable {
        let requests: Counter
        let duration: Timer
    }

    private let meters = Mutex<[Key: Meters]>([:])
    /// Requests answered on the event loop (`vitals_http_hot_requests` on `/metrics`): shows the fast path at work.
    private let answered = Counter(label: "vitals.http.hot_requests")

    func record(path: String, method: HTTPRequest.Method, status: HTTPResponse.Status, startedAt: UInt64) {
        let key = Key(path: path, method: method, status: status.code)
        let found = meters.withLock { meters in
            if let found = meters[key] { return found }
            let dimensions = [
                ("http.route", path), ("http.request.method", method.rawValue),
                ("http.response.status_code", String(status.code)),
            ]
            let made = Meters(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: Timer(
                    label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds))
            meters[key] = made
            return made
        }
        answered.increment()
        found.requests.increment()
        found.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- startedAt))
    }
}
