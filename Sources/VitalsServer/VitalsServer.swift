import Auth
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
        let store = try openStore()
        try registerNodeChecks(engine: engine, lifecycle: lifecycle, heartbeat: heartbeat, store: store)
        try registerDeclaredChecks(engine: engine, prober: prober)
        let registry = try await makeRegistry(store: store, prober: prober)
        let authority = try await AuthSetup.make(
            configuration.auth, dataDirectory: configuration.dataDirectory, logger: logger)

        let connections = OpenConnections()
        let shedding = LoadSheddingMiddleware<BasicRequestContext>(
            connections: connections, maxConnections: configuration.maxConnections)
        let nacos = NacosRoutes(registry: registry, authority: authority)
        let router = Self.makeRouter(
            engine: engine, registry: registry, authority: authority, heartbeat: heartbeat, loadShedding: shedding,
            nacos: nacos)
        let hotRoutes = configuration.hotRoutes ? Self.hotRoutes(nacos, shedding, heartbeat) : nil

        let logger = self.logger
        let host = configuration.host
        let app = Application(
            router: router,
            server: .vitals(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionCountingHandler(connections),
                        RequestReadTimeoutHandler(timeout: TimeAmount(configuration.requestReadTimeout)),
                    ],
                    idleTimeout: TimeAmount(configuration.idleTimeout)),
                hotRoutes: hotRoutes),
            configuration: .init(
                address: .hostname(host, port: configuration.port),
                serverName: "Vitals",
                // Connections beyond maxConnections wait here (kernel memory only) instead of
                // having their SYNs dropped and retried seconds later; capped by somaxconn.
                backlog: 1024,
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
            nacos: NacosGRPCProtocol(registry: registry, authority: authority, logger: logger),
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

    private static func hotRoutes(
        _ nacos: NacosRoutes, _ shedding: LoadSheddingMiddleware<BasicRequestContext>, _ heartbeat: RequestHeartbeat
    ) -> @Sendable () -> HotRoutesHandler {
        let routes = nacos.hotRoutes
        let metrics = HotRouteMetrics()
        return {
            HotRoutesHandler(
                routes: routes, shedding: { shedding.isShedding }, heartbeat: heartbeat, metrics: metrics,
                serverName: "Vitals")
        }
    }

    private func openStore() throws -> StoreWriteMonitor {
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("registry.sqlite")
        do {
            return StoreWriteMonitor(try SQLiteRegistryStore(path: path))
        } catch {
            let reason = StorageWritableCheck.writeProblem(configuration.dataDirectory).map { " (\($0))" } ?? ""
            throw ConfigurationError("cannot open the registry database \(path): \(error)\(reason)")
        }
    }

    private func makeRegistry(store: StoreWriteMonitor, prober: HTTPProber) async throws -> Registry {
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

    private func registerNodeChecks(
        engine: HealthEngine, lifecycle: LifecycleChecks, heartbeat: RequestHeartbeat, store: StoreWriteMonitor
    ) throws {
        let application: Set<String> = [CheckTag.application]
        try engine.register(
            StorageWritableCheck(directory: configuration.dataDirectory, writes: store),
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
