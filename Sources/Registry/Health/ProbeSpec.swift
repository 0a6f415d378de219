import HealthChecks

/// A protocol-neutral description of a probe the registry wants run against an instance.
/// The registry builds these; an adapter turns them into engine checks that do the networking.
public struct ProbeSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case tcp
        case http(scheme: String, path: String, headers: [String: String], expectedStatus: String)
        /// `grpc.health.v1.Health/Check` for `service` (`""`: the whole server).
        case grpc(service: String)
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    public var interval: Duration
    public var timeout: Duration
    public var rise: Int
    public var fall: Int
    /// Nacos's cluster-checker rules: refused connections and unexpected statuses fail at once,
    /// timeouts, 503 and 302 count towards `fall`.
    public var nacosFailureRules: Bool
    /// HTTP checks only: a new connection per run (HAProxy's way) instead of a reused one.
    public var freshConnection: Bool

    public init(
        kind: Kind, host: String, port: Int, interval: Duration, timeout: Duration, rise: Int, fall: Int,
        nacosFailureRules: Bool, freshConnection: Bool = false
    ) {
        self.kind = kind
        self.host = host
        self.port = port
        self.interval = interval
        self.timeout = timeout
        self.rise = rise
        self.fall = fall
        self.nacosFailureRules = nacosFailureRules
        self.freshConnection = freshConnection
    }
}

/// Makes engine checks from probe specs; implemented by the networking adapter.
public protocol ProbeFactory: Sendable {
    func makeCheck(name: String, spec: ProbeSpec) -> any Check
}
