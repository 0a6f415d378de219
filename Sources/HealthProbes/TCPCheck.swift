import HealthChecks
import NIOCore
import NIOPosix

/// A health check that passes when a TCP connection to the target can be opened.
public struct TCPCheck: Check {
    public let name: String
    public let target: ProbeTarget
    public let timeout: Duration
    private let group: any EventLoopGroup
    private let policy: ProbePolicy

    public init(
        name: String, target: ProbeTarget, timeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, policy: ProbePolicy = .default
    ) {
        self.name = name
        self.target = target
        self.timeout = timeout
        self.group = group
        self.policy = policy
    }

    public func run() async throws -> CheckDetails? {
        try policy.check(host: target.host, target: target.authority)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: target.host, port: target.port)
                .get()
        } catch {
            throw ProbeError.connect(error, target: target.authority)
        }
        try policy.check(connected: channel, target: target.authority)
        try? await channel.close()
        return TCPCheckDetails(address: target.authority)
    }
}

/// The `message` of a passing TCP check.
public struct TCPCheckDetails: Encodable, Sendable {
    public let address: String
}
