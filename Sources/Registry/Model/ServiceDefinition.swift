/// How the server checks a cluster's persistent instances (Nacos's `healthChecker`).
public enum HealthCheckerConfig: Sendable, Equatable, Codable {
    case tcp
    /// `path`, headers (Nacos's `k:v|k2:v2` text parsed to pairs), and the expected status
    /// (Nacos accepts and ignores `expectedResponseCode`; Vitals honours it).
    case http(path: String, headers: [String: String], expectedStatus: Int)
    case none

    public var typeName: String {
        switch self {
        case .tcp: return "TCP"
        case .http: return "HTTP"
        case .none: return "NONE"
        }
    }
}

/// A cluster's check settings.
public struct ClusterConfig: Sendable, Equatable, Codable {
    public var name: String
    public var healthChecker: HealthCheckerConfig
    /// Port probed when `useInstancePort` is false.
    public var checkPort: Int
    public var useInstancePort: Bool
    public var metadata: [String: String]

    public init(
        name: String, healthChecker: HealthCheckerConfig = .tcp, checkPort: Int = 80, useInstancePort: Bool = true,
        metadata: [String: String] = [:]
    ) {
        self.name = name
        self.healthChecker = healthChecker
        self.checkPort = checkPort
        self.useInstancePort = useInstancePort
        self.metadata = metadata
    }
}

/// Service-level settings. Services created through the API (or by a persistent registration)
/// have one; services that exist only because ephemeral instances registered do not.
public struct ServiceDefinition: Sendable, Equatable, Codable {
    public var key: ServiceKey
    /// 0–1: when the healthy share of instances is at or below it, lists return every instance as healthy.
    public var protectThreshold: Double
    public var metadata: [String: String]
    /// Nacos selector JSON, kept as given.
    public var selector: String?
    /// Fixed when the service is created: ephemeral services take ephemeral instances only.
    public var ephemeral: Bool
    public var clusters: [String: ClusterConfig]

    public init(
        key: ServiceKey, protectThreshold: Double = 0, metadata: [String: String] = [:], selector: String? = nil,
        ephemeral: Bool = false, clusters: [String: ClusterConfig] = [:]
    ) {
        self.key = key
        self.protectThreshold = protectThreshold
        self.metadata = metadata
        self.selector = selector
        self.ephemeral = ephemeral
        self.clusters = clusters
    }

    func cluster(_ name: String) -> ClusterConfig {
        clusters[name] ?? ClusterConfig(name: name)
    }
}

/// A namespace (Nacos's tenant).
public struct Namespace: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var description: String

    public init(id: String, name: String, description: String = "") {
        self.id = id
        self.name = name
        self.description = description
    }
}
