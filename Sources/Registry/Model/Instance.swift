/// A registered instance: where it is and how clients should treat it.
public struct Instance: Sendable, Equatable, Codable {
    public static let defaultCluster = "DEFAULT"

    public var ip: String
    public var port: Int
    /// 0–10000; clients pick healthy instances by weight.
    public var weight: Double
    /// `false` hides the instance from lists and pushes (an "offline" switch).
    public var enabled: Bool
    /// Ephemeral instances live by client beats and are kept in memory only.
    public var ephemeral: Bool
    public var cluster: String
    public var metadata: [String: String]
    /// The health the registering client declared; checks and beats refine it.
    public var registeredHealthy: Bool

    public init(
        ip: String, port: Int, weight: Double = 1, enabled: Bool = true, ephemeral: Bool = true,
        cluster: String = Instance.defaultCluster, metadata: [String: String] = [:], registeredHealthy: Bool = true
    ) {
        self.ip = ip
        self.port = port
        self.weight = weight
        self.enabled = enabled
        self.ephemeral = ephemeral
        self.cluster = cluster
        self.metadata = metadata
        self.registeredHealthy = registeredHealthy
    }

    /// Nacos's simple instance id: `ip#port#cluster#group@@service`.
    public func instanceID(in service: ServiceKey) -> String {
        "\(ip)#\(port)#\(cluster)#\(service.groupedName)"
    }
}

/// Beat timing of an ephemeral instance, from `preserved.*` metadata or the registry defaults.
public struct BeatTiming: Sendable, Equatable {
    public var interval: Duration
    public var unhealthyAfter: Duration
    public var deleteAfter: Duration

    public static let nacosDefault = BeatTiming(
        interval: .seconds(5), unhealthyAfter: .seconds(15), deleteAfter: .seconds(30))

    public static let intervalKey = "preserved.heart.beat.interval"
    public static let timeoutKey = "preserved.heart.beat.timeout"
    public static let deleteKey = "preserved.ip.delete.timeout"

    public init(interval: Duration, unhealthyAfter: Duration, deleteAfter: Duration) {
        self.interval = interval
        self.unhealthyAfter = unhealthyAfter
        self.deleteAfter = deleteAfter
    }

    /// Per-instance overrides (decimal milliseconds) on top of `defaults`.
    public init(metadata: [String: String], defaults: BeatTiming) throws {
        func value(_ key: String, _ fallback: Duration) throws -> Duration {
            guard let text = metadata[key] else { return fallback }
            guard let millis = Int64(text), millis > 0 else {
                throw RegistryError.invalidInstance("metadata \(key) must be a positive number of milliseconds")
            }
            return .milliseconds(millis)
        }
        self.init(
            interval: try value(Self.intervalKey, defaults.interval),
            unhealthyAfter: try value(Self.timeoutKey, defaults.unhealthyAfter),
            deleteAfter: try value(Self.deleteKey, defaults.deleteAfter))
        guard unhealthyAfter >= interval, deleteAfter >= interval else {
            throw RegistryError.invalidInstance(
                "Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'.")
        }
    }
}
