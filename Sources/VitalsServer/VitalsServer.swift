import Foundation
import GRPCHealth
import HealthChecks
import HealthProbes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NacosGRPC
import NacosHTTP
import NodeHealthAPI
import Registry
import SQLiteStore
import ServiceLifecycle

/// The Vitals server: the health engine, its checks, and the HTTP API, run as one service group.
public struct VitalsServer: Sendable {
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "vitals")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT (drained for `shutdownGrace`) or until the task is cancelled.
    /// `onListening` receives the bound port, which matters when the configured port is 0.
    public func run(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onGRPCListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try prepareDataDirectory()
        _ = VitalsMetrics.registry
        let engine = HealthEngine(logger: logger)
        let lifecycle = LifecycleChecks()
        let heartbeat = RequestHeartbeat()
        let prober = HTTPProber(configuration: .init(policy: configuration.probePolicy))
        try registerNodeChecks(engine: engine, lifecycle: lifecycle, heartbeat: heartbeat)
        try registerDeclaredChecks(engine: engine, prober: prober)
        let registry = try await makeRegistry(prober: prober)

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HeartbeatMiddleware(heartbeat: heartbeat))
        router.add(middleware: MetricsMiddleware())
        NodeHealthRoutes(engine: engine).register(on: router)
        NacosRoutes(registry: registry).register(on: router)
        VitalsMetrics.register(
            on: router, schedulers: [("node", engine.stats), ("registry", registry.checkSchedulerStats)])
        router.get("/") { _, _ in ["name": "vitals", "version": Self.version] }
        // The trivial route: what the HTTP stack costs with no work behind it (benchmark reference).
        router.get("/vitals/ping") { _, _ in "pong" }

        let logger = self.logger
        let host = configuration.host
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
            configuration: .init(
                address: .hostname(host, port: configuration.port),
                serverName: "Vitals",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)
            ),
            onServerRunning: { channel in
                lifecycle.markListening()
                let port = channel.localAddress?.port ?? 0
                logger.notice("Vitals listening", metadata: ["address": "http://\(host):\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        // The server as a whole serves over gRPC health when the node health API says ready.
        let serverReady: @Sendable () -> Bool = { engine.report(kinds: [.readiness, .health]).healthy }
        let grpc = GRPCEndpoint(
            host: host, port: configuration.effectiveGRPCPort,
            nacos: NacosGRPCProtocol(registry: registry, logger: logger),
            health: GRPCHealthService(
                source: HealthStatusSource(registry: registry, serverReady: serverReady), registry: registry),
            logger: logger, onListening: onGRPCListening)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                engine, registry, grpc, app,
                ShutdownDrain(engine: engine, grace: configuration.shutdownGrace, logger: logger),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        // A service that does not finish its graceful shutdown in time is cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(10)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        prober.closeIdleConnections()
    }

    private func makeRegistry(prober: HTTPProber) async throws -> Registry {
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("registry.sqlite")
        let store: SQLiteRegistryStore
        do {
            store = try SQLiteRegistryStore(path: path)
        } catch {
            throw ConfigurationError("cannot open the registry database \(path): \(error)")
        }
        let registry = Registry(
            configuration: configuration.registry, store: store,
            probes: RegistryProbes(prober: prober, policy: configuration.probePolicy),
            logger: logger)
        try await registry.load()
        return registry
    }

    private func prepareDataDirectory() throws {
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(
                "cannot create data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
    }

    private func registerNodeChecks(engine: HealthEngine, lifecycle: LifecycleChecks, heartbeat: RequestHeartbeat)
        throws
    {
        let application: Set<String> = [CheckTag.application]
        try engine.register(
            StorageWritableCheck(directory: configuration.dataDirectory),
            options: CheckOptions(interval: .seconds(10), timeout: .seconds(5), tags: application))
        try engine.register(heartbeat.check(), options: CheckOptions(interval: .seconds(5), tags: application))
        try engine.register(
            lifecycle.startedCheck(), kind: .readiness,
            options: CheckOptions(interval: .milliseconds(250), tags: application))
    }

    private func registerDeclaredChecks(engine: HealthEngine, prober: HTTPProber) throws {
        let factory = DeclaredCheckFactory(prober: prober, policy: configuration.probePolicy)
        for declaration in configuration.checks {
            let (check, kind, options) = try factory.make(declaration)
            do {
                try engine.register(check, kind: kind, options: options)
            } catch {
                throw ConfigurationError("check '\(declaration.name)': \(error)")
            }
        }
    }
}
