import HealthChecks
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/1.1 client built for health checks on plain SwiftNIO channels.
///
/// By default it keeps one connection per target alive and reuses it (the cheapest way to
/// check the same endpoint every few seconds); `fresh` mode opens a new connection per
/// check, as HAProxy and kubelet do. Connections per target are capped. Redirects are
/// never followed. One prober is meant to be shared by every check of a process.
public final class HTTPProber: Sendable {
    public enum ConnectionMode: String, Sendable, Hashable, Codable {
        /// Reuse kept-alive connections.
        case keepAlive
        /// One connection per check, closed after the response.
        case fresh
    }

    public struct Configuration: Sendable {
        /// Most connections open to one target at once; further checks wait.
        public var maxConnectionsPerTarget: Int
        /// Body bytes kept for matching; the rest is discarded.
        public var bodyLimit: Int
        public var userAgent: String
        /// Addresses probes may not reach.
        public var policy: ProbePolicy

        public init(
            maxConnectionsPerTarget: Int = 2, bodyLimit: Int = 64 * 1024, userAgent: String = "vitals-probe/1",
            policy: ProbePolicy = .default
        ) {
            self.maxConnectionsPerTarget = maxConnectionsPerTarget
            self.bodyLimit = bodyLimit
            self.userAgent = userAgent
            self.policy = policy
        }
    }

    private struct PoolKey: Hashable {
        let target: String
        let tls: Bool
        let verifyTLS: Bool
    }

    private let group: any EventLoopGroup
    let configuration: Configuration
    private let pools = Mutex<[PoolKey: ConnectionPool]>([:])
    private let tlsContexts = Mutex<[Bool: NIOSSLContext]>([:])
    private let sweepers = Mutex<[ObjectIdentifier: NIOLoopBound<DeadlineSweeper>]>([:])

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, configuration: Configuration = .init()
    ) {
        self.group = group
        self.configuration = configuration
    }

    /// Sends `request` and returns the response, or throws a ``ProbeError``.
    public func execute(
        _ request: HTTPProbeRequest,
        timeout: Duration,
        mode: ConnectionMode = .keepAlive,
        verifyTLS: Bool = true
    ) async throws -> HTTPProbeResponse {
        try await execute(prepare(request, mode: mode, verifyTLS: verifyTLS), timeout: timeout)
    }

    /// Serialises `request` and decides everything about its target once, for a check that
    /// sends it again and again. `readsBody: false` lets fresh connections close at the status;
    /// `readsHeaders: false` leaves the response's headers empty (no allocations for them).
    public func prepare(
        _ request: HTTPProbeRequest, mode: ConnectionMode = .keepAlive, verifyTLS: Bool = true,
        readsBody: Bool = true, readsHeaders: Bool = true
    ) -> PreparedHTTPRequest {
        let target = request.target
        var invalid: ProbeError?
        var bytes = ByteBuffer()
        if target.scheme != .http && target.scheme != .https {
            invalid = .invalidTarget("\(target) is not an HTTP URL")
        } else if let reason = configuration.policy.refusal(for: target.host) {
            invalid = .refusedTarget(target: target.authority, reason: reason)
        } else {
            do {
                bytes = try PreparedHTTPRequest.serialise(
                    request, userAgent: configuration.userAgent, keepAlive: mode == .keepAlive)
            } catch {
                invalid = error
            }
        }
        let isLiteral = ProbeTarget.isIPAddress(target.host)
        return PreparedHTTPRequest(
            target: target, mode: mode, verifyTLS: verifyTLS, readsBody: readsBody, readsHeaders: readsHeaders,
            isHead: request.method == .HEAD,
            bytes: bytes,
            pool: pool(for: PoolKey(target: target.authority, tls: target.scheme == .https, verifyTLS: verifyTLS)),
            isLiteral: isLiteral, invalid: invalid)
    }

    /// Sends a prepared request and returns the response, or throws a ``ProbeError``.
    public func execute(_ request: PreparedHTTPRequest, timeout: Duration) async throws -> HTTPProbeResponse {
        let exchange = LateBound<ProbeExchange>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.set(start(request, timeout: timeout) { continuation.resume(with: $0) })
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    /// Sends a prepared request without a task: `completion` gets the response or a
    /// ``ProbeError`` (`CancellationError` after a cancel), exactly once, from any thread.
    func start(
        _ request: PreparedHTTPRequest, timeout: Duration,
        completion: @escaping @Sendable (Result<HTTPProbeResponse, any Error>) -> Void
    ) -> ProbeExchange {
        let exchange = ProbeExchange(prober: self, request: request, timeout: timeout, completion: completion)
        exchange.begin()
        return exchange
    }

    /// Open connections to a target (for tests and diagnostics).
    public func openConnections(to target: ProbeTarget, verifyTLS: Bool = true) -> Int {
        let key = PoolKey(target: target.authority, tls: target.scheme == .https, verifyTLS: verifyTLS)
        return pools.withLock { $0[key]?.openConnections ?? 0 }
    }

    /// Closes idle connections; in-flight checks finish normally.
    public func closeIdleConnections() {
        let all = pools.withLock { Array($0.values) }
        for pool in all { pool.closeIdle() }
    }

    private func pool(for key: PoolKey) -> ConnectionPool {
        pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = ConnectionPool(maxConnections: configuration.maxConnectionsPerTarget)
            pools[key] = pool
            return pool
        }
    }

    /// Connects to the request's target with the probe handler (after TLS) in the pipeline.
    func connect(_ request: PreparedHTTPRequest, deadline: NIODeadline) throws -> EventLoopFuture<any Channel> {
        let target = request.target
        let tlsContext = target.scheme == .https ? try tlsContext(verify: request.verifyTLS) : nil
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ProbeError.timedOut(target: target.authority) }
        let serverName = request.isLiteral ? nil : target.host
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(remaining)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try sync.addHandler(ProbeHandler(sweeper: self.sweeper(for: channel.eventLoop)))
                }
            }
        // An IP literal needs no resolver: connecting by name runs getaddrinfo on a dispatch thread
        // and Happy Eyeballs for every fresh connection.
        if request.isLiteral, let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
            return bootstrap.connect(to: address)
        }
        return bootstrap.connect(host: target.host, port: target.port)
    }

    /// The deadline sweeper of `eventLoop`; called on that loop.
    private func sweeper(for eventLoop: any EventLoop) -> DeadlineSweeper {
        sweepers.withLock { sweepers in
            let key = ObjectIdentifier(eventLoop)
            if let sweeper = sweepers[key] { return sweeper.value }
            let sweeper = DeadlineSweeper(eventLoop: eventLoop)
            sweepers[key] = NIOLoopBound(sweeper, eventLoop: eventLoop)
            return sweeper
        }
    }

    private func tlsContext(verify: Bool) throws -> NIOSSLContext {
        try tlsContexts.withLock { contexts in
            if let context = contexts[verify] { return context }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if !verify { configuration.certificateVerification = .none }
            let context = try NIOSSLContext(configuration: configuration)
            contexts[verify] = context
            return context
        }
    }
}

extension ProbeTarget {
    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// An exchange that may be cancelled before it has been created (task cancellation racing its start).
final class LateBound<Value: RunCancellation>: Sendable {
    private let state = Mutex<(cancelled: Bool, value: Value?)>((false, nil))

    func set(_ value: Value) {
        let cancelNow = state.withLock { state -> Bool in
            state.value = value
            return state.cancelled
        }
        if cancelNow { value.cancel() }
    }

    func cancel() {
        let value = state.withLock { state -> Value? in
            state.cancelled = true
            return state.value
        }
        value?.cancel()
    }
}
