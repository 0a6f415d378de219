import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The number of open HTTP connections, counted by ``ConnectionCountingHandler``.
final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .relaxed) }

    func opened() { count.add(1, ordering: .relaxed) }
    func closed() { count.subtract(1, ordering: .relaxed) }
}

/// Counts a connection from the moment its pipeline is set up until it closes (NIO removes every
/// handler when a channel closes), and closes the connection after a response that says
/// `Connection: close` (Hummingbird itself closes only when the request says so), so that a shed
/// client frees its connection even if it ignores the header.
final class ConnectionCountingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let connections: OpenConnections
    private var closeAfterResponse = false

    init(_ connections: OpenConnections) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) { connections.opened() }
    func handlerRemoved(context: ChannelHandlerContext) { connections.closed() }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection] == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }
}

/// Sheds registry load before the connection limit is reached, so the server keeps answering.
///
/// The accept limit (`maxConnections`) only holds new connections back in the kernel's backlog,
/// behind everyone else: a flood would also hold back a load balancer's health check. Once more
/// than `threshold` connections are open (the last `maxConnections / 16`, at least 8, are kept
/// in reserve), requests other than the node health API (`/ext/health`, `/livez`, `/readyz`,
/// `/healthz`, `/metrics`) are answered at once with 503, `Retry-After: 1` and
/// `Connection: close`, and the connection is closed, which frees it for the health API.
struct LoadSheddingMiddleware<Context: RequestContext>: RouterMiddleware {
    let connections: OpenConnections
    let threshold: Int

    init(connections: OpenConnections, maxConnections: Int) {
        self.connections = connections
        self.threshold = max(1, maxConnections - Self.reserve(maxConnections))
    }

    static func reserve(_ maxConnections: Int) -> Int {
        min(maxConnections - 1, max(8, maxConnections / 16))
    }

    static func exempt(_ path: Substring) -> Bool {
        ["/ext/health", "/livez", "/readyz", "/healthz", "/metrics"].contains { prefix in
            path == prefix || path.hasPrefix(prefix + "/")
        }
    }

    /// Whether requests other than the health API are being shed now.
    var isShedding: Bool { connections.current > threshold }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let open = connections.current
        guard open > threshold, !Self.exempt(request.uri.path[...]) else {
            return try await next(request, context)
        }
        return Response(
            status: .serviceUnavailable,
            headers: [.retryAfter: "1", .connection: "close", .contentType: "text/plain;charset=UTF-8"],
            body: .init(
                byteBuffer: ByteBuffer(
                    string: "Vitals is overloaded: \(open) connections open, more than \(threshold); retry later")))
    }
}
