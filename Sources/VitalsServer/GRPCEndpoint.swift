import GRPCCore
import GRPCHealth
import GRPCNIOTransportHTTP2
import Logging
import NacosGRPC
import ServiceLifecycle

/// The gRPC port: the Nacos 2.x protocol with its background work, and grpc.health.v1.
struct GRPCEndpoint: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let nacos: NacosGRPCProtocol
    let onListening: @Sendable (Int) async -> Void
    let logger: Logger

    init(
        host: String, port: Int, nacos: NacosGRPCProtocol, health: GRPCHealthService, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) {
        let transport = HTTP2ServerTransport.Posix(
            address: host.contains(":")
                ? .ipv6(host: host, port: port) : .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                // Accept client keepalive pings every 10 s, even between calls (Python pings every 60 s).
                config.connection.keepalive.clientBehavior = .init(
                    minPingIntervalWithoutCalls: .seconds(10), allowWithoutCalls: true)
                config.rpc.maxRequestPayloadSize = 10 * 1024 * 1024
            })
        self.server = GRPCServer(transport: transport, services: nacos.services + [health])
        self.nacos = nacos
        self.logger = logger
        self.onListening = onListening
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.serve()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown { await nacos.run() }
            }
            group.addTask {
                let address = try await server.listeningAddress
                let port = address?.ipv4?.port ?? address?.ipv6?.port ?? 0
                logger.notice("Vitals gRPC listening", metadata: ["port": "\(port)"])
                await onListening(port)
            }
        }
    }
}
