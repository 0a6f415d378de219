import GRPCCore
import GRPCHealthWire
import Registry
import ServiceLifecycle

/// `grpc.health.v1.Health` for the server and every registry service, so Envoy, Kubernetes gRPC
/// probes and `grpc_health_probe` can ask Vitals about any registered service.
public struct GRPCHealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    /// Most services `List` returns before it answers RESOURCE_EXHAUSTED, as the protocol says.
    public static let listLimit = 100

    let source: HealthStatusSource
    let registry: Registry
    /// How often a `Watch` re-reads statuses that change without a registry event (the server's own).
    let pollInterval: Duration

    public init(source: HealthStatusSource, registry: Registry, pollInterval: Duration = .seconds(1)) {
        self.source = source
        self.registry = registry
        self.pollInterval = pollInterval
    }

    public func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
        -> Grpc_Health_V1_HealthCheckResponse
    {
        guard let status = source.status(of: request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return .with { $0.status = status }
    }

    public func list(request: Grpc_Health_V1_HealthListRequest, context: ServerContext) async throws
        -> Grpc_Health_V1_HealthListResponse
    {
        let all = source.all()
        guard all.count <= Self.listLimit else {
            throw RPCError(
                code: .resourceExhausted, message: "\(all.count) services exceed the List limit of \(Self.listLimit)")
        }
        return .with { response in
            for (name, status) in all { response.statuses[name] = .with { $0.status = status } }
        }
    }

    /// Sends the current status at once, then every change, until the client goes away.
    /// Unknown names read SERVICE_UNKNOWN without ending the call.
    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let changes = registry.serviceChangeStream(bufferSize: 16)
        let pollInterval = self.pollInterval
        let wakeups = AsyncStream<Void> { continuation in
            let forward = Task {
                for await _ in changes { continuation.yield() }
            }
            let tick = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    continuation.yield()
                }
            }
            continuation.onTermination = { _ in
                forward.cancel()
                tick.cancel()
            }
        }
        let source = self.source
        let name = request.service
        // Watches never end on their own: end them when the server shuts down.
        try await cancelWhenGracefulShutdown {
            var last: HealthStatusSource.Status?
            var iterator = wakeups.makeAsyncIterator()
            repeat {
                try Task.checkCancellation()
                let status = source.status(of: name) ?? .serviceUnknown
                if status != last {
                    last = status
                    try await response.write(.with { $0.status = status })
                }
            } while await iterator.next() != nil
        }
    }
}
