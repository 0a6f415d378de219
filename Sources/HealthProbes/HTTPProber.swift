import NIOCore
import NIOHTTP1
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
    private let configuration: Configuration
    private let pools = Mutex<[PoolKey: ConnectionPool]>([:])
    private let tlsContexts = Mutex<[Bool: NIOSSLContext]>([:])

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
        let target = request.target
        guard target.scheme == .http || target.scheme == .https else {
            throw ProbeError.invalidTarget("\(target) is not an HTTP URL")
        }
        try configuration.policy.check(host: target.host, target: target.authority)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let pool = pool(for: PoolKey(target: target.authority, tls: target.scheme == .https, verifyTLS: verifyTLS))
        let head = makeHead(request, keepAlive: mode == .keepAlive)
        let body = request.body.map { ByteBuffer(bytes: $0) }

        var attempt = 0
        while true {
            attempt += 1
            let lease = try await pool.acquire(reuse: mode == .keepAlive)
            let channel: any Channel
            let reused: Bool
            switch lease {
            case .reuse(let idle):
                channel = idle
                reused = true
            case .connect:
                do {
                    channel = try await connect(target, deadline: deadline, verifyTLS: verifyTLS)
                } catch {
                    pool.connectFailed()
                    throw ProbeError.connect(error, target: target.authority)
                }
                pool.adopt(channel)
                // A name may resolve to a forbidden address: refuse before the request is written.
                try configuration.policy.check(connected: channel, target: target.authority)
                reused = false
            }
            let promise = channel.eventLoop.makePromise(of: HTTPProbeResponse.self)
            let call = ProbeCall(
                head: head, body: body, deadline: deadline, bodyLimit: configuration.bodyLimit, promise: promise)
            // A channel closed under us never hands the call to its handler: fail the call here.
            channel.writeAndFlush(call).whenFailure { _ in
                promise.fail(ProbeChannelError.closedBeforeResponse(receivedBytes: false))
            }
            do {
                let response = try await withTaskCancellationHandler {
                    try await promise.futureResult.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                pool.release(channel, reusable: mode == .keepAlive && response.keepAlive)
                return response
            } catch ProbeChannelError.closedBeforeResponse(let receivedBytes) {
                pool.release(channel, reusable: false)
                // A kept-alive connection the server closed while idle: retry once on a new one.
                if reused, !receivedBytes, attempt == 1 { continue }
                throw ProbeError.connectionClosed(target: target.authority)
            } catch ProbeChannelError.timedOut {
                pool.release(channel, reusable: false)
                throw ProbeError.timedOut(target: target.authority)
            } catch {
                pool.release(channel, reusable: false)
                if Task.isCancelled { throw CancellationError() }
                throw ProbeError.io("request to \(target.authority) failed: \(ProbeError.reason(error))")
            }
        }
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

    private func makeHead(_ request: HTTPProbeRequest, keepAlive: Bool) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        let target = request.target
        let defaultPort = target.scheme == .https ? 443 : 80
        let hostHeader =
            target.port == defaultPort
            ? (target.host.contains(":") ? "[\(target.host)]" : target.host) : target.authority
        headers.add(name: "Host", value: hostHeader)
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: "*/*")
        for (name, value) in request.headers {
            if name.lowercased() == "host" || name.lowercased() == "user-agent" { headers.remove(name: name) }
            headers.add(name: name, value: value)
        }
        if let body = request.body {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        } else if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        return HTTPRequestHead(version: .http1_1, method: request.method, uri: target.pathAndQuery, headers: headers)
    }

    private func connect(_ target: ProbeTarget, deadline: NIODeadline, verifyTLS: Bool) async throws -> any Channel {
        let tlsContext = target.scheme == .https ? try tlsContext(verify: verifyTLS) : nil
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ProbeError.timedOut(target: target.authority) }
        let serverName = ProbeTarget.isIPAddress(target.host) ? nil : target.host
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(remaining)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ProbeHandler())
                }
            }
        // An IP literal needs no resolver: connecting by name runs getaddrinfo on a dispatch thread
        // and Happy Eyeballs for every fresh connection.
        if serverName == nil, let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
            return try await bootstrap.connect(to: address).get()
        }
        return try await bootstrap.connect(host: target.host, port: target.port).get()
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
