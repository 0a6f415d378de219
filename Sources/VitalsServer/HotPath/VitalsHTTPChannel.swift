import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 channel with the hot-route handler added behind its connection-state
/// handler, so idle timeouts, graceful shutdown and `Connection: close` see every request,
/// including those answered on the event loop.
struct VitalsHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let http1: HTTP1Channel
    /// Builds one handler per connection; `nil` serves everything through the router.
    let hotRoutes: (@Sendable () -> HotRoutesHandler)?

    var responder: Responder { http1.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let hotRoutes = self.hotRoutes
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if let hotRoutes {
                let pipeline = channel.pipeline.syncOperations
                let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(hotRoutes(), position: .after(state))
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    static func vitals(
        configuration: HTTP1Channel.Configuration, hotRoutes: (@Sendable () -> HotRoutesHandler)?
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            VitalsHTTPChannel(
                http1: HTTP1Channel(responder: responder, configuration: configuration), hotRoutes: hotRoutes)
        }
    }
}
