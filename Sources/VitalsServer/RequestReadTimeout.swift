import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body does not arrive within `timeout` of its head.
///
/// The idle timeout alone cannot stop a client that trickles a body a byte at a time (each byte
/// is activity), holding a connection slot for as long as it likes; nginx's `client_body_timeout`
/// and HAProxy's `timeout http-request` close such clients the same way.
final class RequestReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// When the head of a request still being read arrived. The timer is armed only when a read
    /// ends with the request incomplete: most requests arrive whole, in one read, and a timer per
    /// request was a measurable share of a beat's CPU (docs/benchmarks.md).
    private var readingSince: NIODeadline?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = nil
            readingSince = .now()
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
            readingSince = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let readingSince, deadline == nil {
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(deadline: readingSince + timeout) { channel.close(promise: nil) }
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
