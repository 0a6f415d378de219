import GRPCCore
import GRPCHealthWire
import GRPCNIOTransportHTTP2
import HealthChecks

/// A health check that calls `grpc.health.v1.Health/Check` on the target and passes on `SERVING`
/// (what Kubernetes' gRPC probes and Consul's gRPC checks do).
///
/// Each run opens its own HTTP/2 connection; the target address is resolved first so the probe
/// policy sees the real address before anything is sent.
public struct GRPCHealthCheck: Check {
    public let name: String
    public let target: ProbeTarget
    /// The health service name to ask about (`""`: the server as a whole).
    public let service: String
    public let timeout: Duration
    private let policy: ProbePolicy

    public init(
        name: String, target: ProbeTarget, service: String = "", timeout: Duration = .seconds(5),
        policy: ProbePolicy = .default
    ) {
        self.name = name
        self.target = target
        self.service = service
        self.timeout = timeout
        self.policy = policy
    }

    public func run() async throws -> CheckDetails? {
        let address = try await resolve()
        let resolvable: any ResolvableTarget =
            address.contains(":")
            ? .ipv6(address: address, port: target.port) : .ipv4(address: address, port: target.port)
        let transport = try HTTP2ClientTransport.Posix(target: resolvable, transportSecurity: .plaintext)
        let service = self.service
        let timeout = self.timeout
        let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus
        do {
            status = try await withGRPCClient(transport: transport) { client in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                var options = CallOptions.defaults
                options.timeout = timeout
                return try await health.check(.with { $0.service = service }, options: options).status
            }
        } catch let error as RPCError {
            throw ProbeError.io("gRPC health check of \(target.authority) failed: \(error.code) \(error.message)")
        }
        guard status == .serving else {
            throw ProbeError.io(
                "\(target.authority) reports \(service.isEmpty ? "the server" : "'\(service)'") \(status)")
        }
        return GRPCCheckDetails(address: target.authority, service: service, status: "SERVING")
    }

    private func resolve() async throws -> String {
        try policy.check(host: target.host, target: target.authority)
        if ProbeTarget.isIPAddress(target.host) { return target.host }
        let host = target.host
        let addresses = try await NIOThreadPoolResolver.resolve(host)
        guard let first = addresses.first(where: { policy.refusal(for: $0) == nil }) else {
            throw ProbeError.refusedTarget(
                target: target.authority, reason: addresses.first.flatMap { policy.refusal(for: $0) } ?? "no address")
        }
        return first
    }
}

/// The `message` of a passing gRPC check.
public struct GRPCCheckDetails: Encodable, Sendable {
    public let address: String
    public let service: String
    public let status: String
}
