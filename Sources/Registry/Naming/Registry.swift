import Foundation
import HealthChecks
import Logging
import ServiceLifecycle
import Synchronization

/// The naming registry: namespaces, services, clusters and instances, with their health.
///
/// Knows nothing of HTTP or SQL: adapters call its operations, a ``RegistryStore`` keeps the
/// persistent part, and a ``ProbeFactory`` supplies the network checks it schedules on its own
/// health engine. Runs as a `Service` (the check engine and the beat sweeper).
public final class Registry: Service, Sendable {
    public struct Configuration: Sendable {
        /// Beat timing for ephemeral instances that set no `preserved.*` metadata (Nacos: 5 s / 15 s / 30 s).
        public var beatDefaults: BeatTiming
        /// How often beat expiry is evaluated.
        public var sweepInterval: Duration
        /// Apply services' protect thresholds in lists (Nacos always does).
        public var protectThresholdEnabled: Bool
        /// Cluster checker timing (overridable per cluster with `vitals.check.*` cluster metadata).
        public var clusterCheckInterval: Duration
        public var clusterCheckTimeout: Duration
        /// Soft failures in a row before unhealthy, and successes before healthy again (Nacos's `checkTimes` 3).
        public var clusterCheckTimes: Int
        /// How long a service with neither settings nor instances is kept before it is forgotten.
        public var emptyServiceRetention: Duration = .seconds(60)

        public init(
            beatDefaults: BeatTiming = .nacosDefault, sweepInterval: Duration = .seconds(1),
            protectThresholdEnabled: Bool = true, clusterCheckInterval: Duration = .seconds(2),
            clusterCheckTimeout: Duration = .seconds(1), clusterCheckTimes: Int = 3
        ) {
            self.beatDefaults = beatDefaults
            self.sweepInterval = sweepInterval
            self.protectThresholdEnabled = protectThresholdEnabled
            self.clusterCheckInterval = clusterCheckInterval
            self.clusterCheckTimeout = clusterCheckTimeout
            self.clusterCheckTimes = clusterCheckTimes
        }
    }

    public let configuration: Configuration
    let store: any RegistryStore
    let probes: any ProbeFactory
    let clock: any EngineClock
    let logger: Logger
    let state = Mutex(RegistryState())
    let checks: HealthEngine
    let transitions = EventBroadcaster<HealthTransition>()
    let serviceChanges = EventBroadcaster<ServiceKey>()

    public init(
        configuration: Configuration = Configuration(), store: any RegistryStore, probes: any ProbeFactory,
        clock: any EngineClock = SystemClock(), logger: Logger = Logger(label: "vitals.registry")
    ) {
        self.configuration = configuration
        self.store = store
        self.probes = probes
        self.clock = clock
        self.logger = logger
        let relay = StatusRelay()
        self.checks = HealthEngine(
            clock: clock,
            configuration: .init(perCheckMetrics: false, statusObserver: relay.forward, logsTransitions: false),
            logger: logger)
        relay.target.withLock { $0 = WeakRegistry(self) }
    }

    /// Loads the persistent data and schedules its checks. Call once before serving.
    ///
    /// Instances are inserted one service at a time (a store returns them grouped by service),
    /// and their probes are derived and registered with the engine in one bulk pass.
    public func load() async throws {
        let snapshot = try await store.load()
        let now = clock.now
        let beat = configuration.beatDefaults
        let services = mutate { state -> [ServiceKey] in
            var services: [ServiceKey] = []
            for namespace in snapshot.namespaces { state.namespaces[namespace.id] = namespace }
            for definition in snapshot.services {
                state.services[definition.key, default: ServiceEntry()].definition = definition
                state.touch(definition.key)
            }
            let instances = snapshot.instances
            var start = instances.startIndex
            while start < instances.endIndex {
                let service = instances[start].service
                var end = start + 1
                while end < instances.endIndex, instances[end].service == service { end += 1 }
                var entry = state.services.removeValue(forKey: service) ?? ServiceEntry()
                entry.instances.reserveCapacity(entry.instances.count + end - start)
                for stored in instances[start..<end] {
                    var health = InstanceHealth(registered: stored.instance.registeredHealthy)
                    health.manualDown = stored.manualDown
                    entry.instances[Address(ip: stored.instance.ip, port: stored.instance.port)] = InstanceEntry(
                        instance: stored.instance, owner: .persistent, health: health, beat: beat, lastBeat: now)
                }
                state.services[service] = entry
                state.touch(service)
                services.append(service)
                start = end
            }
            return services
        }
        syncProbes(of: services)
        logger.info(
            "registry loaded",
            metadata: ["services": "\(snapshot.services.count)", "persistentInstances": "\(snapshot.instances.count)"])
    }

    /// Runs the instance checks and the beat sweeper until cancelled or shut down.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.checks.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do {
                            try await self.clock.sleep(until: self.clock.now + self.configuration.sweepInterval)
                        } catch {
                            return
                        }
                        self.sweepBeats()
                    }
                }
            }
        }
    }

    /// Every health transition from now on (a slow reader loses the oldest, never blocks the registry).
    public func healthTransitions(bufferSize: Int = 4096) -> AsyncStream<HealthTransition> {
        transitions.subscribe(bufferSize: bufferSize)
    }

    /// Every service change from now on (instances, health, settings), for pushing to subscribers.
    public func serviceChangeStream(bufferSize: Int = 65536) -> AsyncStream<ServiceKey> {
        serviceChanges.subscribe(bufferSize: bufferSize)
    }

    /// Runs `body` under the state lock, then announces the services it changed.
    func mutate<T>(_ body: (inout RegistryState) throws -> T) rethrows -> T {
        let (result, changed) = try state.withLock { state in
            let result = try body(&state)
            return (result, state.drainChanges())
        }
        for service in changed { serviceChanges.publish(service) }
        return result
    }

    func publish(_ transitions: [HealthTransition]) {
        for transition in transitions {
            logger.debug(
                "instance health changed",
                metadata: [
                    "instance": "\(transition.instance)", "healthy": "\(transition.to.map(String.init) ?? "removed")",
                    "cause": "\(transition.cause)",
                ])
            self.transitions.publish(transition)
        }
    }
}

/// Breaks the cycle engine → observer → registry → engine.
private final class WeakRegistry: Sendable {
    weak let registry: Registry?
    init(_ registry: Registry) { self.registry = registry }
}

private final class StatusRelay: Sendable {
    let target = Mutex<WeakRegistry?>(nil)

    func forward(_ key: CheckKey, _ old: CheckStatus, _ result: CheckResult) {
        target.withLock { $0 }?.registry?.checkStatusChanged(name: key.name, result: result)
    }
}
