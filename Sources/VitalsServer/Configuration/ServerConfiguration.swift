import Foundation
import HealthProbes
import Logging
import Registry

/// Everything `vitals serve` needs, after flags, environment and config file are merged.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8848
    /// The Nacos gRPC port; `nil` means `port + 1000` (Nacos's offset, which SDKs assume), or 0 when `port` is 0.
    public var grpcPort: Int?
    public var dataDirectory: String = "./vitals-data"
    public var logLevel: Logger.Level = .info
    /// Time the server keeps answering, with a failing `shuttingDown` check, after SIGTERM.
    public var shutdownGrace: Duration = .seconds(2)
    /// Connections served at once; further ones wait in the accept backlog.
    public var maxConnections: Int = 4096
    /// Idle keep-alive connections are closed after this long.
    public var idleTimeout: Duration = .seconds(60)
    /// A request's body must arrive within this long of its head, or the connection is closed.
    public var requestReadTimeout: Duration = .seconds(30)
    /// Beats, instance lists and health updates answered on the event loop, without the router
    /// (see docs/architecture.md); `false` sends them through the router like every other route.
    public var hotRoutes = true
    public var checks: [CheckDeclaration] = []
    /// Beat timing, protect threshold and cluster-check timing of the naming registry.
    public var registry = Registry.Configuration()
    /// Addresses health probes (node checks and instance checks) may reach.
    public var probePolicy = ProbePolicy.default
    /// Login, tokens and permissions; off unless `auth.enabled` (or `--auth`).
    public var auth = AuthSettings()

    public init() {}

    /// Values from a YAML or JSON config file (JSON is YAML).
    public struct File: Decodable, Sendable {
        public var host: String?
        public var port: Int?
        public var grpcPort: Int?
        public var dataDir: String?
        public var logLevel: String?
        public var shutdownGrace: String?
        public var maxConnections: Int?
        public var idleTimeout: String?
        public var requestReadTimeout: String?
        public var hotRoutes: Bool?
        public var checks: [CheckDeclaration]?
        public var registry: RegistryFile?
        public var probes: ProbesFile?
        public var auth: AuthSettings.File?
    }

    /// The `probes:` section: CIDR ranges probes may not reach (added to the built-in link-local
    /// and cloud-metadata ranges) and, optionally, the only ranges they may reach.
    public struct ProbesFile: Decodable, Sendable {
        public var deny: [String]?
        public var allow: [String]?
    }

    /// The `registry:` section of the config file.
    public struct RegistryFile: Decodable, Sendable {
        /// Default beat interval, unhealthy-after and delete-after for ephemeral instances
        /// (Nacos: 5s, 15s, 30s, with no global setting); instance metadata still overrides them.
        public var beatInterval: String?
        public var beatTimeout: String?
        public var deleteTimeout: String?
        /// `false` turns protect thresholds off: lists always show true health.
        public var protectThreshold: Bool?
        public var clusterCheckInterval: String?
        public var clusterCheckTimeout: String?
        public var clusterCheckTimes: Int?
        /// How often beat expiry is evaluated (default 1s).
        public var sweepInterval: String?
    }

    /// Settings given as flags or `VITALS_*` environment variables; `nil` means not given.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var grpcPort: Int?
        public var dataDir: String?
        public var logLevel: String?
        public var shutdownGrace: String?
        public var checks: [String] = []
        public var authEnabled: Bool?
        /// The process environment, for `${NAME}` in config values and `VITALS_AUTH_*`.
        public var values: [String: String] = [:]

        public init() {}

        /// Reads `VITALS_HOST`, `VITALS_PORT`, `VITALS_DATA_DIR`, `VITALS_LOG_LEVEL`, `VITALS_SHUTDOWN_GRACE`.
        public static func environment(_ env: [String: String]) throws -> Overrides {
            var overrides = Overrides()
            overrides.host = env["VITALS_HOST"]
            if let port = env["VITALS_PORT"] {
                guard let parsed = Int(port) else {
                    throw ConfigurationError("VITALS_PORT must be a number, got '\(port)'")
                }
                overrides.port = parsed
            }
            if let port = env["VITALS_GRPC_PORT"] {
                guard let parsed = Int(port) else {
                    throw ConfigurationError("VITALS_GRPC_PORT must be a number, got '\(port)'")
                }
                overrides.grpcPort = parsed
            }
            overrides.dataDir = env["VITALS_DATA_DIR"]
            overrides.logLevel = env["VITALS_LOG_LEVEL"]
            overrides.shutdownGrace = env["VITALS_SHUTDOWN_GRACE"]
            overrides.values = env
            return overrides
        }
    }

    /// Defaults, then the file, then the environment, then flags: later sources win.
    public static func resolve(file: File?, environment: Overrides, flags: Overrides) throws -> ServerConfiguration {
        var config = ServerConfiguration()
        if let file {
            try config.apply(
                host: file.host, port: file.port, dataDir: file.dataDir, logLevel: file.logLevel,
                shutdownGrace: file.shutdownGrace)
            try config.applyGRPCPort(file.grpcPort)
            if let maxConnections = file.maxConnections {
                guard maxConnections > 0 else { throw ConfigurationError("maxConnections must be positive") }
                config.maxConnections = maxConnections
            }
            if let idle = file.idleTimeout { config.idleTimeout = try DurationText.parse(idle) }
            if let text = file.requestReadTimeout {
                let timeout = try DurationText.parse(text)
                guard timeout > .zero else { throw ConfigurationError("requestReadTimeout must be positive") }
                config.requestReadTimeout = timeout
            }
            if let hotRoutes = file.hotRoutes { config.hotRoutes = hotRoutes }
            config.checks = file.checks ?? []
            if let registry = file.registry { try config.applyRegistry(registry) }
            if let probes = file.probes { try config.applyProbes(probes) }
            if let auth = file.auth { try config.auth.apply(auth, environment: environment.values) }
            config.checks = try config.checks.map { try $0.expandingEnvironment(environment.values) }
        }
        try config.auth.applyEnvironment(environment.values)
        if let enabled = flags.authEnabled { config.auth.auth.enabled = enabled }
        for overrides in [environment, flags] {
            try config.apply(
                host: overrides.host, port: overrides.port, dataDir: overrides.dataDir, logLevel: overrides.logLevel,
                shutdownGrace: overrides.shutdownGrace)
            try config.applyGRPCPort(overrides.grpcPort)
            config.checks += try overrides.checks.map(CheckDeclaration.init(flag:))
        }
        guard (0...65535).contains(config.effectiveGRPCPort) else {
            throw ConfigurationError(
                "the gRPC port would be \(config.effectiveGRPCPort) (HTTP port + 1000); set grpcPort (--grpc-port) explicitly"
            )
        }
        var seen = Set<String>()
        for check in config.checks {
            let key = "\((check.kind ?? .health).rawValue)/\(check.name)"
            guard seen.insert(key).inserted else {
                throw ConfigurationError("check '\(check.name)' is declared twice")
            }
        }
        return config
    }

    private mutating func apply(
        host: String?, port: Int?, dataDir: String?, logLevel: String?, shutdownGrace: String?
    ) throws {
        if let host {
            guard !host.isEmpty else { throw ConfigurationError("host must not be empty") }
            self.host = host
        }
        if let port {
            guard (0...65535).contains(port) else { throw ConfigurationError("port \(port) is out of range 0-65535") }
            self.port = port
        }
        if let dataDir {
            guard !dataDir.isEmpty else { throw ConfigurationError("data directory must not be empty") }
            self.dataDirectory = dataDir
        }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ConfigurationError(
                    "unknown log level '\(logLevel)' (use trace, debug, info, notice, warning, error, critical)")
            }
            self.logLevel = level
        }
        if let shutdownGrace { self.shutdownGrace = try DurationText.parse(shutdownGrace) }
    }

    private mutating func applyProbes(_ file: ProbesFile) throws {
        func ranges(_ texts: [String], _ key: String) throws -> [AddressRange] {
            try texts.map { text in
                do {
                    return try AddressRange(parsing: text)
                } catch {
                    throw ConfigurationError("probes.\(key): '\(text)' is not an address range (use e.g. 10.0.0.0/8)")
                }
            }
        }
        probePolicy = ProbePolicy(
            denied: ProbePolicy.default.denied + (try ranges(file.deny ?? [], "deny")),
            allowed: try file.allow.map { try ranges($0, "allow") })
    }

    private mutating func applyGRPCPort(_ port: Int?) throws {
        guard let port else { return }
        guard (0...65535).contains(port) else { throw ConfigurationError("gRPC port \(port) is out of range 0-65535") }
        grpcPort = port
    }

    /// The gRPC port to bind.
    public var effectiveGRPCPort: Int {
        grpcPort ?? (port == 0 ? 0 : port + 1000)
    }

    private mutating func applyRegistry(_ file: RegistryFile) throws {
        var beat = registry.beatDefaults
        if let text = file.beatInterval { beat.interval = try DurationText.parse(text) }
        if let text = file.beatTimeout { beat.unhealthyAfter = try DurationText.parse(text) }
        if let text = file.deleteTimeout { beat.deleteAfter = try DurationText.parse(text) }
        guard beat.interval > .zero, beat.unhealthyAfter >= beat.interval, beat.deleteAfter >= beat.interval else {
            throw ConfigurationError("registry: beatTimeout and deleteTimeout must be at least beatInterval (> 0)")
        }
        registry.beatDefaults = beat
        if let enabled = file.protectThreshold { registry.protectThresholdEnabled = enabled }
        if let text = file.clusterCheckInterval { registry.clusterCheckInterval = try DurationText.parse(text) }
        if let text = file.clusterCheckTimeout { registry.clusterCheckTimeout = try DurationText.parse(text) }
        if let text = file.sweepInterval {
            let interval = try DurationText.parse(text)
            guard interval > .zero else { throw ConfigurationError("registry: sweepInterval must be positive") }
            registry.sweepInterval = interval
        }
        if let times = file.clusterCheckTimes {
            guard times >= 1 else { throw ConfigurationError("registry: clusterCheckTimes must be at least 1") }
            registry.clusterCheckTimes = times
        }
    }

    /// Loads a YAML or JSON config file.
    public static func loadFile(at path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read config file \(path)")
        }
        return try ConfigFileDecoder.decode(data, path: path)
    }
}
