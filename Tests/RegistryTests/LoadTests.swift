import Synchronization
import Testing

@testable import HealthChecks
@testable import Registry

/// A store that holds a snapshot in memory and accepts every commit.
private final class MemoryStore: RegistryStore {
    let snapshot: RegistrySnapshot

    init(_ snapshot: RegistrySnapshot = RegistrySnapshot()) {
        self.snapshot = snapshot
    }

    func load() async throws -> RegistrySnapshot { snapshot }

    func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws {
        apply()
    }
}

/// Probes that pass or fail by target port, counting their runs.
private final class FakeProbes: ProbeFactory {
    let failingPorts: Set<Int>
    let runs = Mutex<[String: Int]>([:])

    init(failingPorts: Set<Int> = []) {
        self.failingPorts = failingPorts
    }

    func makeCheck(name: String, spec: ProbeSpec) -> any Check {
        let failing = failingPorts.contains(spec.port)
        return ClosureCheck(name) { [self] in
            self.runs.withLock { $0[name, default: 0] += 1 }
            if failing { throw CheckFailure("refused", immediate: true) }
            return nil
        }
    }
}

@Suite("Registry: loading persistent instances", .timeLimit(.minutes(1)))
struct LoadTests {
    static let orders = ServiceKey(name: "orders")
    static let unchecked = ServiceKey(name: "unchecked")

    static let instances: [StoredInstance] = [
        StoredInstance(
            service: orders, instance: Instance(ip: "10.0.0.1", port: 81, ephemeral: false, cluster: "east"),
            manualDown: false),
        StoredInstance(
            service: orders, instance: Instance(ip: "10.0.0.2", port: 82, ephemeral: false, cluster: "east"),
            manualDown: true),
        StoredInstance(
            service: orders,
            instance: Instance(
                ip: "10.0.0.3", port: 83, ephemeral: false, cluster: "west",
                metadata: ["vitals.check.type": "TCP", "vitals.check.interval": "1000"], registeredHealthy: false),
            manualDown: false),
        StoredInstance(
            service: unchecked, instance: Instance(ip: "10.0.0.4", port: 84, ephemeral: false), manualDown: false),
    ]

    static let services = [
        ServiceDefinition(
            key: orders,
            clusters: [
                "west": ClusterConfig(
                    name: "west", healthChecker: .http(path: "/ok", headers: [:], expectedStatus: 200),
                    metadata: ["vitals.check.interval": "7000"])
            ]),
        ServiceDefinition(key: unchecked, clusters: ["DEFAULT": ClusterConfig(name: "DEFAULT", healthChecker: .none)]),
    ]

    /// The engine's checks: name → (interval, timeout, rise, fall, initial status).
    private static func engineChecks(_ registry: Registry) -> [String: [String]] {
        registry.checks.schedule.withLock { state in
            Dictionary(
                uniqueKeysWithValues: state.registrations.map { registration in
                    let options = registration.options
                    return (
                        registration.key.name,
                        [
                            "\(options.interval)", "\(options.timeout)", "\(options.thresholds)",
                            "\(registration.result.status)",
                        ]
                    )
                })
        }
    }

    @Test("loading schedules the same checks as registering the instances one by one")
    func sameAsOneByOne() async throws {
        let loaded = Registry(
            store: MemoryStore(RegistrySnapshot(services: Self.services, instances: Self.instances)),
            probes: FakeProbes(), clock: ManualClock())
        try await loaded.load()

        let registered = Registry(store: MemoryStore(), probes: FakeProbes(), clock: ManualClock())
        for definition in Self.services { try await registered.createService(definition) }
        for stored in Self.instances {
            try await registered.register(stored.instance, in: stored.service)
            if stored.manualDown {
                try await registered.setHealth(
                    service: stored.service, ip: stored.instance.ip, port: stored.instance.port, healthy: false)
            }
        }
        let checks = Self.engineChecks(loaded)
        #expect(checks == Self.engineChecks(registered))
        #expect(
            Set(checks.keys) == [
                "public/DEFAULT_GROUP@@orders/10.0.0.1:81#cluster", "public/DEFAULT_GROUP@@orders/10.0.0.2:82#cluster",
                "public/DEFAULT_GROUP@@orders/10.0.0.3:83#cluster", "public/DEFAULT_GROUP@@orders/10.0.0.3:83#declared",
            ])
        #expect(checks["public/DEFAULT_GROUP@@orders/10.0.0.3:83#cluster"]?.first == "7.0 seconds")
        #expect(checks["public/DEFAULT_GROUP@@orders/10.0.0.3:83#cluster"]?.last == "notYetRun")
        #expect(checks["public/DEFAULT_GROUP@@orders/10.0.0.1:81#cluster"]?.last == "passing")

        let views = loaded.allInstances(service: Self.orders)
        #expect(views.map(\.healthy) == [true, false, false])
        #expect(views.map(\.instance) == Self.instances.prefix(3).map(\.instance))
    }

    @Test("instances of one cluster share one probe record; settings changes derive a new one")
    func sharedClusterProbe() async throws {
        let registry = Registry(
            store: MemoryStore(RegistrySnapshot(services: Self.services, instances: Self.instances)),
            probes: FakeProbes(), clock: ManualClock())
        try await registry.load()
        func probes() -> [Int: ObjectIdentifier?] {
            registry.state.withLock { state in
                Dictionary(
                    uniqueKeysWithValues: state.services[Self.orders]?.instances.map {
                        ($0.key.port, $0.value.probes.cluster.map(ObjectIdentifier.init))
                    } ?? [])
            }
        }
        let before = probes()
        #expect(before[81] == before[82])
        #expect(before[81] != before[83])
        #expect(before[81] != nil)
        try await registry.updateCluster(
            ClusterConfig(name: "east", healthChecker: .tcp, checkPort: 9), of: Self.orders)
        let after = probes()
        #expect(after[81] == after[82])
        #expect(after[81] != before[81])
    }

    @Test("loaded checks run and their verdicts reach the instances")
    func loadedChecksRun() async throws {
        let clock = ManualClock()
        let probes = FakeProbes(failingPorts: [81])
        let registry = Registry(
            store: MemoryStore(RegistrySnapshot(services: Self.services, instances: Self.instances)), probes: probes,
            clock: clock)
        try await registry.load()
        let transitions = registry.healthTransitions()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await registry.checks.run() }
            // Every first run comes within one interval (7 s at most here), checks every 1 s.
            for _ in 0..<16 {
                clock.advance(by: .milliseconds(500))
                try await Task.sleep(for: .milliseconds(5))
            }
            var seen = 0
            for await transition in transitions where transition.instance.port == 81 {
                seen += 1
                #expect(transition.to == false)
                break
            }
            #expect(seen == 1)
            group.cancelAll()
        }
        #expect(probes.runs.withLock { $0.keys.count } == 4)
    }

    @Test("check names lead back to their instance, also with '/' in the namespace and the ip")
    func checkOwners() async throws {
        let odd = ServiceKey(namespace: "team/a", group: "g@@x", name: "svc/1")
        let instances = [
            StoredInstance(
                service: odd, instance: Instance(ip: "host/1", port: 7, ephemeral: false), manualDown: false),
            StoredInstance(service: odd, instance: Instance(ip: "host", port: 8, ephemeral: false), manualDown: false),
        ]
        let registry = Registry(
            store: MemoryStore(RegistrySnapshot(instances: instances)), probes: FakeProbes(), clock: ManualClock())
        try await registry.load()
        let owners = registry.state.withLock { state in
            instances.map { stored in
                let key = InstanceKey(service: odd, ip: stored.instance.ip, port: stored.instance.port)
                return Registry.owner(ofCheck: Registry.checkName(key, .cluster), in: state)
            }
        }
        #expect(owners.map { $0?.0.ip } == ["host/1", "host"])
        #expect(owners.map { $0?.0.service } == [odd, odd])
        #expect(owners.map { $0?.1 } == [.cluster, .cluster])
        let missing = registry.state.withLock { state in
            Registry.owner(
                ofCheck: Registry.checkName(InstanceKey(service: odd, ip: "host", port: 8), .declared), in: state)
        }
        #expect(missing == nil)
    }
}
