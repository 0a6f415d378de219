import GRPCCore
import GRPCHealthWire
import GRPCNIOTransportHTTP2
import Synchronization

/// A real gRPC server on 127.0.0.1 whose `grpc.health.v1` answers are set by the test.
public final class TestGRPCHealthServer: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private let statuses: Mutex<[String: Status]>
    private let task = Mutex<Task<Void, any Error>?>(nil)

    public init(_ statuses: [String: Status] = ["": .serving]) {
        self.statuses = Mutex(statuses)
    }

    public func set(_ service: String, _ status: Status) {
        statuses.withLock { $0[service] = status }
    }

    /// Starts serving on an ephemeral port and returns it.
    public func start() async throws -> Int {
        let server = GRPCServer(
            transport: HTTP2ServerTransport.Posix(
                address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: [Service(statuses: self)])
        task.withLock { $0 = Task { try await server.serve() } }
        let address = try await server.listeningAddress
        return address?.ipv4?.port ?? 0
    }

    public func stop() {
        task.withLock { $0?.cancel() }
    }

    fileprivate func status(_ service: String) -> Status? {
        statuses.withLock { $0[service] }
    }

    private struct Service: Grpc_Health_V1_Health.SimpleServiceProtocol {
        let statuses: TestGRPCHealthServer

        func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthCheckResponse
        {
            guard let status = statuses.status(request.service) else {
                throw RPCError(code: .notFound, message: "unknown service")
            }
            return .with { $0.status = status }
        }

        func list(request: Grpc_Health_V1_HealthListRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthListResponse
        {
            .init()
        }

        func watch(
            request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
            context: ServerContext
        ) async throws {
            throw RPCError(code: .unimplemented, message: "not in the test server")
        }
    }
}
