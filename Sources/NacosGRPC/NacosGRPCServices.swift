import Auth
import Foundation
import GRPCCore
import Logging
import NacosGRPCWire
import Registry
import ServiceLifecycle
import Synchronization

/// The Nacos 2.x gRPC protocol: `/Request/request` (unary) and `/BiRequestStream/requestBiStream`
/// (setup, pushes, acks), sharing one view of the client connections.
public final class NacosGRPCProtocol: Sendable {
    let registry: Registry
    let connections = Connections()
    let push: PushService
    let handler: RequestHandler
    let logger: Logger

    /// Idle connections get a `ClientDetectionRequest` after this long (Nacos: 20 s).
    static let idleAfter: Duration = .seconds(20)
    /// … and are dropped if they stay silent this long afterwards.
    static let detectionGrace: Duration = .seconds(5)

    /// With `authority` enabled, naming requests need the `accessToken` header SDKs send.
    public init(
        registry: Registry, authority: Authority = .disabled, logger: Logger = Logger(label: "vitals.nacos-grpc")
    ) {
        self.registry = registry
        self.logger = logger
        push = PushService(registry: registry, connections: connections, logger: logger)
        handler = RequestHandler(registry: registry, authority: authority, connections: connections, push: push)
    }

    /// The two gRPC services to register on a server.
    public var services: [any RegistrableRPCService] {
        [UnaryService(protocol: self), BiStreamService(protocol: self)]
    }

    /// Pushes and idle-connection detection; run it beside the gRPC server.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.push.run() }
            group.addTask { await self.detectIdleConnections() }
        }
    }

    public var connectionCount: Int { connections.count }

    private func detectIdleConnections() async {
        let counter = RequestCounter()
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(3))
            } catch {
                return
            }
            connections.detectIdle(idle: Self.idleAfter, grace: Self.detectionGrace) { _ in
                PayloadCodec.encode(type: "ClientDetectionRequest") { w in
                    w.key("headers")
                    w.object { _ in }
                    w.key("requestId")
                    w.value("detect-\(counter.next())")
                    w.key("module")
                    w.value("internal")
                }
            }
        }
    }

    /// Reads the client's side of the bi-stream and writes ours, until either ends.
    func biStream(
        inbound: RPCAsyncSequence<NacosPayload, any Error>, outbound: RPCWriter<NacosPayload>, peer: String
    ) async throws {
        let (stream, continuation) = AsyncStream.makeStream(
            of: NacosPayload.self, bufferingPolicy: .bufferingNewest(4096))
        defer {
            continuation.finish()
            if let id = connections.remove(peer) {
                registry.removeConnection(id)
                push.removeConnection(id)
                logger.debug("nacos connection closed", metadata: ["connection": "\(id)"])
            }
        }
        // Bi-streams last as long as their client: end them when the server shuts down.
        try await cancelWhenGracefulShutdown {
            try await self.pump(
                inbound: inbound, outbound: outbound, stream: stream, continuation: continuation, peer: peer)
        }
    }

    private func pump(
        inbound: RPCAsyncSequence<NacosPayload, any Error>, outbound: RPCWriter<NacosPayload>,
        stream: AsyncStream<NacosPayload>, continuation: AsyncStream<NacosPayload>.Continuation, peer: String
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await payload in stream { try await outbound.write(payload) }
            }
            group.addTask {
                for try await payload in inbound {
                    self.received(payload, peer: peer, outbound: continuation)
                }
            }
            // Either side ending ends the connection.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func received(_ payload: NacosPayload, peer: String, outbound: AsyncStream<NacosPayload>.Continuation) {
        connections.touch(peer)
        guard let message = try? PayloadCodec.decode(payload) else { return }
        switch message.type {
        case "ConnectionSetupRequest":
            let id = connections.register(
                peer, clientVersion: message.string("clientVersion") ?? "", outbound: outbound)
            logger.debug("nacos connection registered", metadata: ["connection": "\(id)"])
            if message.body["abilityTable"] is [String: Any] {
                outbound.yield(
                    PayloadCodec.encode(type: "SetupAckRequest") { w in
                        w.key("headers")
                        w.object { _ in }
                        w.key("requestId")
                        w.value("setup")
                        w.key("abilityTable")
                        w.object { table in
                            table.key("supportPersistentInstanceByGrpc")
                            table.value(true)
                        }
                        w.key("module")
                        w.value("internal")
                    })
            }
        case "NotifySubscriberResponse":
            if let id = message.requestID { push.acknowledge(id) }
        default:
            // Other responses (ClientDetectionResponse, …) only prove the client is alive.
            break
        }
    }
}

private final class RequestCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

struct UnaryService: NacosRequest.SimpleServiceProtocol {
    let `protocol`: NacosGRPCProtocol

    func request(request: NacosPayload, context: ServerContext) async throws -> NacosPayload {
        await self.protocol.handler.handle(request, peer: context.remotePeer)
    }
}

struct BiStreamService: NacosBiRequestStream.SimpleServiceProtocol {
    let `protocol`: NacosGRPCProtocol

    func requestBiStream(
        request: RPCAsyncSequence<NacosPayload, any Error>, response: RPCWriter<NacosPayload>, context: ServerContext
    ) async throws {
        try await self.protocol.biStream(inbound: request, outbound: response, peer: context.remotePeer)
    }
}
