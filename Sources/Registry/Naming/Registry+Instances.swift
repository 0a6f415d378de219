import Foundation
import HealthChecks
import Synchronization

/// What a beat carries when the client sends its instance along (Nacos's `beat` JSON).
public struct BeatInfo: Sendable, Equatable {
    public var ip: String
    public var port: Int
    public var cluster: String?
    public var weight: Double?
    public var metadata: [String: String]

    public init(ip: String, port: Int, cluster: String? = nil, weight: Double? = nil, metadata: [String: String] = [:])
    {
        self.ip = ip
        self.port = port
        self.cluster = cluster
        self.weight = weight
        self.metadata = metadata
    }
}

/// The answer to a beat.
public struct BeatReply: Sendable, Equatable {
    /// 10200 when the beat was applied, 20404 when the instance is unknown.
    public let code: Int
    public let clientBeatInterval: Duration
}

extension Registry {
    static let beatApplied = 10200
    static let beatUnknownInstance = 20404

    /// Registers (or replaces) an instance. Persistent instances are stored before this returns.
    /// Ephemeral instances are kept by beats unless `connection` owns them.
    public func register(_ instance: Instance, in service: ServiceKey, connection: String? = nil) async throws {
        let owner: InstanceOwner = !instance.ephemeral ? .persistent : connection.map { .connection($0) } ?? .beats
        try Self.validate(instance)
        let beat =
            instance.ephemeral
            ? try BeatTiming(metadata: instance.metadata, defaults: configuration.beatDefaults)
            : configuration.beatDefaults
        _ = try DeclaredCheck.spec(for: instance)
        let key = InstanceKey(service: service, ip: instance.ip, port: instance.port)
        let implicitDefinition = try mutate { state -> ServiceDefinition? in
            try Self.checkKind(instance, of: state.services[service], service: service)
            guard !instance.ephemeral, state.services[service]?.definition == nil else { return nil }
            return ServiceDefinition(key: service, ephemeral: false)
        }
        let now = clock.now
        let date = clock.wallNow
        let apply: @Sendable () -> HealthTransition? = {
            self.mutate { state in
                if let implicitDefinition, state.services[service]?.definition == nil {
                    state.services[service, default: ServiceEntry()].definition = implicitDefinition
                }
                let address = Address(ip: instance.ip, port: instance.port)
                var health = InstanceHealth(registered: instance.registeredHealthy)
                let previous = state.services[service]?.instances[address]
                if let previous {
                    // Re-registration keeps what the registry learnt; the manual mark stays.
                    health.manualDown = previous.health.manualDown
                    health.serverCheck = previous.health.serverCheck
                    health.declaredCheck = previous.health.declaredCheck
                }
                var entry = InstanceEntry(instance: instance, owner: owner, health: health, beat: beat, lastBeat: now)
                entry.history = previous?.history ?? TransitionHistory()
                entry.probes = previous?.probes ?? InstanceProbes()
                var transition: HealthTransition?
                if previous?.health.healthy != health.healthy {
                    let made = HealthTransition(
                        instance: key, from: previous?.health.healthy, to: health.healthy, cause: .registered, at: date)
                    entry.history.append(made)
                    transition = made
                }
                state.services[service, default: ServiceEntry()].instances[address] = entry
                state.touch(service)
                return transition
            }
        }
        if instance.ephemeral {
            publish(apply().map { [$0] } ?? [])
        } else {
            var changes: [StoreChange] = []
            if let implicitDefinition { changes.append(.putService(implicitDefinition)) }
            let manualDown = mutate {
                $0.services[service]?.instances[Address(ip: instance.ip, port: instance.port)]?.health.manualDown
                    ?? false
            }
            changes.append(.putInstance(StoredInstance(service: service, instance: instance, manualDown: manualDown)))
            let result = Mutex<HealthTransition?>(nil)
            try await commit(changes) { result.withLock { $0 = apply() } }
            publish(result.withLock { $0 }.map { [$0] } ?? [])
        }
        syncProbes(key)
    }

    /// Removes an instance; unknown instances are not an error (as in Nacos).
    public func deregister(service: ServiceKey, ip: String, port: Int) async throws {
        let key = InstanceKey(service: service, ip: ip, port: port)
        let existing = mutate { $0.services[service]?.instances[Address(ip: ip, port: port)] }
        guard let existing else { return }
        if existing.instance.ephemeral {
            publish(remove(key, reason: "deregistered"))
        } else {
            let removed = Mutex<[HealthTransition]>([])
            try await commit([.deleteInstance(service, ip: ip, port: port)]) {
                removed.withLock { $0 = self.remove(key, reason: "deregistered") }
            }
            publish(removed.withLock { $0 })
        }
    }

    /// Updates weight, enabled and metadata of an existing instance (`PUT /instance`); health is not touched.
    public func update(service: ServiceKey, ip: String, port: Int, _ change: @Sendable (inout Instance) -> Void)
        async throws
    {
        let key = InstanceKey(service: service, ip: ip, port: port)
        guard let entry = mutate({ $0.services[service]?.instances[Address(ip: ip, port: port)] }) else {
            throw RegistryError.instanceNotFound("instance not found: \(ip):\(port) in \(service.groupedName)")
        }
        var updated = entry.instance
        change(&updated)
        updated.ip = ip
        updated.port = port
        updated.ephemeral = entry.instance.ephemeral
        try Self.validate(updated)
        _ = try DeclaredCheck.spec(for: updated)
        let beat =
            updated.ephemeral
            ? try BeatTiming(metadata: updated.metadata, defaults: configuration.beatDefaults) : entry.beat
        let final = updated
        let apply: @Sendable () -> Void = {
            self.mutate { state in
                let address = Address(ip: ip, port: port)
                state.services[service]?.instances[address]?.instance = final
                state.services[service]?.instances[address]?.beat = beat
                state.touch(service)
            }
        }
        if final.ephemeral {
            apply()
        } else {
            try await commit(
                [.putInstance(StoredInstance(service: service, instance: final, manualDown: entry.health.manualDown))],
                apply: apply)
        }
        syncProbes(key)
    }

    /// A client beat: refreshes the instance, or registers it from `info` when it is unknown.
    public func beat(service: ServiceKey, ip: String, port: Int, info: BeatInfo?) async throws -> BeatReply {
        if let reply = beatIfKnown(service: service, ip: ip, port: port) { return reply }
        guard let info else {
            return BeatReply(code: Self.beatUnknownInstance, clientBeatInterval: configuration.beatDefaults.interval)
        }
        let instance = Instance(
            ip: ip, port: port, weight: info.weight ?? 1, ephemeral: true,
            cluster: info.cluster ?? Instance.defaultCluster,
            metadata: info.metadata)
        try await register(instance, in: service)
        let interval = mutate { $0.services[service]?.instances[Address(ip: ip, port: port)]?.beat.interval }
        return BeatReply(code: Self.beatApplied, clientBeatInterval: interval ?? configuration.beatDefaults.interval)
    }

    /// The beat of a registered instance, applied at once without suspending (HTTP's fast path);
    /// `nil` when the instance is unknown, which ``beat(service:ip:port:info:)`` answers.
    public func beatIfKnown(service: ServiceKey, ip: String, port: Int) -> BeatReply? {
        let key = InstanceKey(service: service, ip: ip, port: port)
        let now = clock.now
        let date = clock.wallNow
        let applied = mutate { state -> (Duration, HealthTransition?)? in
            let address = Address(ip: ip, port: port)
            guard let entry = state.services[service]?.instances[address] else { return nil }
            state.services[service]?.instances[address]?.lastBeat = now
            let transition = state.updateHealth(key, cause: .beatReceived, at: date) { $0.beatExpired = false }
            return (entry.beat.interval, transition)
        }
        guard let applied else { return nil }
        publish(applied.1.map { [$0] } ?? [])
        return BeatReply(code: Self.beatApplied, clientBeatInterval: applied.0)
    }

    /// Removes an instance from memory and its probes; returns the removal transition.
    func remove(_ key: InstanceKey, reason: String) -> [HealthTransition] {
        let date = clock.wallNow
        let removed = mutate { state -> (InstanceEntry, HealthTransition)? in
            let address = Address(ip: key.ip, port: key.port)
            guard let entry = state.services[key.service]?.instances.removeValue(forKey: address) else { return nil }
            // An emptied service stays a while (see `sweepEmptyServices`), so that its next
            // revision still increases and subscribers see it empty.
            state.touch(key.service)
            return (
                entry,
                HealthTransition(
                    instance: key, from: entry.health.healthy, to: nil, cause: .removed(reason: reason), at: date)
            )
        }
        guard let (entry, transition) = removed else { return [] }
        for source in entry.probes.sources { checks.deregister(Self.checkName(key, source)) }
        return [transition]
    }

    func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws {
        do {
            try await store.commit(changes, apply: apply)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.storage("storage write failed, nothing was changed: \(error)")
        }
    }

    static func validate(_ instance: Instance) throws {
        guard !instance.ip.isEmpty, instance.ip.count <= 128, !instance.ip.contains(where: \.isWhitespace) else {
            throw RegistryError.invalidParameter("Param 'ip' is illegal")
        }
        guard (0...65535).contains(instance.port) else {
            throw RegistryError.invalidParameter("Param 'port' is illegal, it must be between 0 and 65535")
        }
        guard (0...10000).contains(instance.weight), instance.weight.isFinite else {
            throw RegistryError.invalidWeight("instance format invalid: The weights range from 0.0 to 10000.0")
        }
        guard !instance.cluster.isEmpty, instance.cluster.count <= 64,
            instance.cluster.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw RegistryError.invalidInstance(
                "Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: \(instance.cluster))")
        }
    }

    static func checkKind(_ instance: Instance, of entry: ServiceEntry?, service: ServiceKey) throws {
        let serviceEphemeral: Bool? =
            entry?.definition?.ephemeral ?? entry?.instances.values.first.map { $0.instance.ephemeral }
        guard let serviceEphemeral, serviceEphemeral != instance.ephemeral else { return }
        if serviceEphemeral {
            throw RegistryError.conflict(
                "Current service \(service.groupedName) is ephemeral service, can't register persistent instance.")
        }
        throw RegistryError.conflict(
            "Current service \(service.groupedName) is persistent service, can't register ephemeral instance.")
    }
}

extension Registry {
    /// Changes the metadata of several instances of a service (Nacos's metadata batch):
    /// `targets` nil means every instance of the given kind. Returns the instances changed.
    public func updateMetadata(
        service: ServiceKey, targets: [(ip: String, port: Int)]?, ephemeral: Bool,
        _ change: @escaping @Sendable (inout [String: String]) -> Void
    ) async throws -> [InstanceView] {
        let candidates = allInstances(service: service).filter { view in
            view.instance.ephemeral == ephemeral
                && (targets?.contains { $0.ip == view.instance.ip && $0.port == view.instance.port } ?? true)
        }
        var changed: [InstanceView] = []
        for view in candidates {
            try await update(service: service, ip: view.instance.ip, port: view.instance.port) { instance in
                change(&instance.metadata)
            }
            if let updated = instance(service: service, ip: view.instance.ip, port: view.instance.port) {
                changed.append(updated)
            }
        }
        return changed
    }
}

extension Registry {
    /// Nacos gRPC's batch semantics: `instances` become the connection's whole set for `service`
    /// (its other instances there are removed).
    public func replaceConnectionInstances(connection: String, service: ServiceKey, instances: [Instance]) async throws
    {
        for instance in instances {
            guard instance.ephemeral else {
                throw RegistryError.invalidInstance("batch registration takes ephemeral instances only")
            }
            try Self.validate(instance)
        }
        let keep = Set(instances.map { Address(ip: $0.ip, port: $0.port) })
        let stale = mutate { state in
            (state.services[service]?.instances ?? [:]).filter {
                $0.value.owner == .connection(connection) && !keep.contains($0.key)
            }.keys
        }
        for address in stale {
            publish(
                remove(InstanceKey(service: service, ip: address.ip, port: address.port), reason: "replaced by batch"))
        }
        for instance in instances {
            try await register(instance, in: service, connection: connection)
        }
    }

    /// Removes one instance of a connection's (instances owned by others are left alone).
    public func deregister(connection: String, service: ServiceKey, ip: String, port: Int) {
        let owned = mutate {
            $0.services[service]?.instances[Address(ip: ip, port: port)]?.owner == .connection(connection)
        }
        if owned { publish(remove(InstanceKey(service: service, ip: ip, port: port), reason: "deregistered")) }
    }

    /// Removes every instance a connection owns: the client went away.
    public func removeConnection(_ connection: String) {
        let keys = mutate { state in
            state.services.flatMap { service, entry in
                entry.instances.filter { $0.value.owner == .connection(connection) }.keys.map {
                    InstanceKey(service: service, ip: $0.ip, port: $0.port)
                }
            }
        }
        for key in keys { publish(remove(key, reason: "client connection closed")) }
    }
}
