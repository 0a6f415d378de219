import NIOCore
import NIOHTTP1

/// Sends one request at a time on a kept-alive connection and completes its promise
/// with the response, a timeout, or the connection's failure.
final class ProbeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ProbeCall
    typealias OutboundOut = HTTPClientRequestPart

    private var call: ProbeCall?
    private var timeout: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var receivedBytes = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            call.promise.fail(ProbeChannelError.closedBeforeResponse(receivedBytes: false))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        guard self.call == nil else {
            call.promise.fail(ProbeChannelError.closedBeforeResponse(receivedBytes: false))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        self.call = call
        head = nil
        body.removeAll(keepingCapacity: true)
        receivedBytes = false
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: call.deadline) {
            let (handler, context) = loopBound.value
            handler.fail(ProbeChannelError.timedOut, context: context)
        }
        context.write(wrapOutboundOut(.head(call.head)), promise: nil)
        if let requestBody = call.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receivedBytes = true
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var buffer):
            guard let call else { return }
            let room = call.bodyLimit - body.count
            if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let call, let head else { return }
            self.call = nil
            timeout?.cancel()
            timeout = nil
            let response = HTTPProbeResponse(
                status: Int(head.status.code), headers: head.headers, body: body, keepAlive: head.isKeepAlive)
            call.promise.succeed(response)
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ProbeChannelError.closedBeforeResponse(receivedBytes: receivedBytes), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        guard let call else { return }
        self.call = nil
        call.promise.fail(error)
        context.close(promise: nil)
    }
}
