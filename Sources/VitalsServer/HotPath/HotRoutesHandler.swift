import Dispatch
import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import NacosHTTP

/// Answers the hottest Nacos routes (beats, instance lists, health updates) on the connection's
/// event loop, and hands every other request to the router unchanged.
///
/// The router costs about 2× bare SwiftNIO per request (docs/benchmarks.md); beats and lists are
/// most of a registry's traffic. A request is answered here only when nothing handed to the
/// router is still unanswered on this connection (pipelined answers keep their order), when load
/// shedding is off, and when ``NacosHotRoutes`` can answer without waiting; otherwise it takes
/// the router, with the head and body collected so far.
final class HotRoutesHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A hot request whose body is being read.
        case collecting(Collected)
        /// A request the router answers; its parts pass through.
        case passing
    }

    private struct Collected {
        let head: HTTPRequest
        let route: NacosHotRoutes.Route
        let query: Substring
        var body: ByteBuffer?
        let startedAt: UInt64
    }

    private let routes: NacosHotRoutes
    private let shedding: @Sendable () -> Bool
    private let heartbeat: RequestHeartbeat
    private let metrics: HotRouteMetrics
    private let serverName: String
    private var state = State.idle
    /// Requests handed to the router whose answer has not ended yet.
    private var routerPending = 0
    private var date = HTTPDate()

    init(
        routes: NacosHotRoutes, shedding: @escaping @Sendable () -> Bool, heartbeat: RequestHeartbeat,
        metrics: HotRouteMetrics, serverName: String
    ) {
        self.routes = routes
        self.shedding = shedding
        self.heartbeat = heartbeat
        self.metrics = metrics
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let collected = hotRequest(head) {
                state = .collecting(collected)
            } else {
                pass(context, data)
            }
        case .body(let chunk):
            guard case .collecting(var collected) = state else {
                context.fireChannelRead(data)
                return
            }
            let size = (collected.body?.readableBytes ?? 0) + chunk.readableBytes
            guard size <= NacosHotRoutes.maxBodyBytes else {
                // The router refuses it with the same 413 the slow path gives.
                collected.body.append(chunk)
                handOver(context, collected)
                return
            }
            collected.body.append(chunk)
            state = .collecting(collected)
        case .end:
            guard case .collecting(let collected) = state else {
                state = .idle
                context.fireChannelRead(data)
                return
            }
            guard
                let answer = routes.answer(
                    collected.route, head: collected.head, query: collected.query, body: collected.body)
            else {
                handOver(context, collected)
                context.fireChannelRead(data)
                state = .idle
                return
            }
            state = .idle
            write(answer, for: collected, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerPending > 0 { routerPending -= 1 }
        context.write(data, promise: promise)
    }

    private func hotRequest(_ head: HTTPRequest) -> Collected? {
        guard routerPending == 0, let target = head.path, !shedding() else { return nil }
        let question = target.firstIndex(of: "?") ?? target.endIndex
        guard let route = routes.match(method: head.method, path: target[..<question]) else { return nil }
        let query = question == target.endIndex ? Substring() : target[target.index(after: question)...]
        return Collected(
            head: head, route: route, query: query, body: nil, startedAt: DispatchTime.now().uptimeNanoseconds)
    }

    private func pass(_ context: ChannelHandlerContext, _ data: NIOAny) {
        routerPending += 1
        state = .passing
        context.fireChannelRead(data)
    }

    /// Gives a collected request to the router: its head now, and what body was read.
    private func handOver(_ context: ChannelHandlerContext, _ collected: Collected) {
        pass(context, wrapInboundOut(.head(collected.head)))
        if let body = collected.body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    private func write(_ answer: NacosAnswer, for request: Collected, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        fields[.contentLength] = String(answer.body.readableBytes)
        fields[.date] = date.header(unixSeconds: Int64(Date().timeIntervalSince1970))
        fields[.server] = serverName
        if request.head.headerFields[.connection] == "close" { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        heartbeat.beat()
        metrics.record(
            path: request.route.path, method: request.head.method, status: answer.status,
            startedAt: request.startedAt)
    }
}

extension Optional where Wrapped == ByteBuffer {
    fileprivate mutating func append(_ chunk: ByteBuffer) {
        if self == nil {
            self = chunk
        } else {
            var chunk = chunk
            self?.writeBuffer(&chunk)
        }
    }
}
