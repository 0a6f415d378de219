import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The reference for probe cost: hand-written SwiftNIO keep-alive clients, one request in flight
/// per connection, sending the next GET as soon as the previous response ends. No async/await,
/// no pooling, no result handling: the floor an HTTP checker on SwiftNIO can reach.
enum RawNIOReference {
    final class Counter: Sendable {
        let successes = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
    }

    final class LoopHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let head: HTTPRequestHead
        let deadline: NIODeadline
        let counter: Counter
        var status: HTTPResponseStatus = .ok

        init(head: HTTPRequestHead, deadline: NIODeadline, counter: Counter) {
            self.head = head
            self.deadline = deadline
            self.counter = counter
        }

        func channelActive(context: ChannelHandlerContext) {
            send(context: context)
        }

        func send(context: ChannelHandlerContext) {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let response): status = response.status
            case .body: break
            case .end:
                if status == .ok {
                    counter.successes.add(1, ordering: .relaxed)
                } else {
                    counter.failures.add(1, ordering: .relaxed)
                }
                if NIODeadline.now() < deadline { send(context: context) } else { context.close(promise: nil) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            counter.failures.add(1, ordering: .relaxed)
            context.close(promise: nil)
        }
    }

    /// Runs `connections` loops for `seconds` against host:port/path; returns (successes, failures).
    static func run(host: String, port: Int, path: String, connections: Int, seconds: Int) async throws -> (Int, Int) {
        let counter = Counter()
        let deadline = NIODeadline.now() + .seconds(Int64(seconds))
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        var channels: [any Channel] = []
        for _ in 0..<connections {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LoopHandler(head: head, deadline: deadline, counter: counter))
                    }
                }
                .connect(host: host, port: port).get()
            channels.append(channel)
        }
        for channel in channels { try? await channel.closeFuture.get() }
        return (counter.successes.load(ordering: .relaxed), counter.failures.load(ordering: .relaxed))
    }
}
