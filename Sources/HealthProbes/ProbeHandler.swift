import NIOCore

/// The only handler of a probe connection (after TLS, if any): writes an exchange's prepared
/// request bytes and reads the response with ``ProbeResponseParser``, one exchange at a time,
/// answering it with the response, a timeout, or the connection's failure.
///
/// No HTTP codec: the request was serialised (and its headers checked) once per check, and
/// the response is read only as far as a probe needs.
final class ProbeHandler: ChannelDuplexHandler, DeadlineSweeper.Entry {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ProbeExchange
    typealias OutboundOut = ByteBuffer

    private let sweeper: DeadlineSweeper
    private var context: ChannelHandlerContext?
    private var exchange: ProbeExchange?
    private var parser = ProbeResponseParser(bodyLimit: 0, keepsHeaders: false, noBodyExpected: false)
    private var receivedBytes = false
    var sweeperSlot = -1

    init(sweeper: DeadlineSweeper) {
        self.sweeper = sweeper
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ProbeChannelError.closedBeforeResponse(receivedBytes: receivedBytes))
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard self.exchange == nil else {
            exchange.answered(
                .failure(ProbeChannelError.closedBeforeResponse(receivedBytes: false)), on: context.channel)
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        self.exchange = exchange
        parser.reset()
        parser.bodyLimit = exchange.bodyLimit
        parser.keepsHeaders = exchange.keepsHeaders
        parser.noBodyExpected = exchange.request.isHead
        receivedBytes = false
        sweeper.add(self, deadline: exchange.deadline)
        context.write(wrapOutboundOut(exchange.request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let exchange else {
            // Bytes on an idle connection: it can no longer be trusted to frame the next response.
            context.close(promise: nil)
            return
        }
        receivedBytes = true
        do {
            try parser.feed(&buffer)
        } catch {
            fail(ProbeChannelError.malformed(error.description))
            return
        }
        if parser.isComplete {
            // Bytes beyond the response mean the framing is off: do not reuse the connection.
            complete(exchange, keepAlive: parser.keepAlive && buffer.readableBytes == 0)
        } else if parser.headParsed, exchange.completesAtHead {
            complete(exchange, keepAlive: false)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange, parser.finishAtClose() {
            complete(exchange, keepAlive: false)
        } else {
            fail(ProbeChannelError.closedBeforeResponse(receivedBytes: receivedBytes))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func deadlinePassed() {
        fail(ProbeChannelError.timedOut)
    }

    private func complete(_ exchange: ProbeExchange, keepAlive: Bool) {
        self.exchange = nil
        sweeper.remove(self)
        let response = HTTPProbeResponse(
            status: parser.status, headerFields: parser.keepsHeaders ? parser.headers : [], body: parser.body,
            keepAlive: keepAlive)
        parser.reset()
        guard let context else { return }
        // Closed first: a fresh connection's slot is free by the time the caller hears back.
        if !keepAlive { context.close(promise: nil) }
        exchange.answered(.success(response), on: context.channel)
    }

    private func fail(_ error: any Error) {
        guard let exchange, let context else { return }
        self.exchange = nil
        sweeper.remove(self)
        context.close(promise: nil)
        exchange.answered(.failure(error), on: context.channel)
    }
}
