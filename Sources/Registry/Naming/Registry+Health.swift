import Foundation
import HealthChecks
import Synchronization

extension Registry {
    /// `PUT …/health/instance`: marks an instance down until a `healthy=true` clears the mark.
    /// Clearing never overrides a failing check or expired beats. Works for every instance
    /// (Nacos refuses unless the cluster's checker is NONE).
    public func setHealth(service: ServiceKey, ip: String, port: Int, healthy: Bool) async throws {
        if try setEphemeralHealth(service: service, ip: ip, port: port, healthy: healthy) { return }
        let key = InstanceKey(service: service, ip: ip, port: port)
        guard let entry = mutate({ $0.services[service]?.instances[Address(ip: ip, port: port)] }) else {
            throw Self.notFound(service, ip, port)
        }
        let date = clock.wallNow
        var stored = entry.instance
        if healthy { stored.registeredHealthy = true }
        let result = Mutex<HealthTransition?>(nil)
        try await commit([.putInstance(StoredInstance(service: service, instance: stored, manualDown: !healthy))]) {
            result.withLock { $0 = self.applyManualHealth(key, healthy: healthy, at: date) }
        }
        publish(result.withLock { $0 }.map { [$0] } ?? [])
    }

    /// Sets an ephemeral instance's health at once, without suspending (HTTP's fast path).
    /// Returns `false` for a persistent instance, whose change must be stored first
    /// (``setHealth(service:ip:port:healthy:)``).
    public func setEphemeralHealth(service: ServiceKey, ip: String, port: Int, healthy: Bool) throws -> Bool {
        let key = InstanceKey(service: service, ip: ip, port: port)
        let date = clock.wallNow
        let outcome = mutate { state -> (found: Bool, ephemeral: Bool, transition: HealthTransition?) in
            guard let entry = state.services[service]?.instances[Address(ip: ip, port: port)] else {
                return (false, false, nil)
            }
            guard entry.instance.ephemeral else { return (true, false, nil) }
            return (true, true, Self.applyManualHealth(&state, key, healthy: healthy, at: date))
        }
        guard outcome.found else { throw Self.notFound(service, ip, port) }
        guard outcome.ephemeral else { return false }
        publish(outcome.transition.map { [$0] } ?? [])
        return true
    }

    private func applyManualHealth(_ key: InstanceKey, healthy: Bool, at date: Date) -> HealthTransition? {
        mutate { Self.applyManualHealth(&$0, key, healthy: healthy, at: date) }
    }

    private static func applyManualHealth(
        _ state: inout RegistryState, _ key: InstanceKey, healthy: Bool, at date: Date
    ) -> HealthTransition? {
        state.updateHealth(key, cause: .manual(healthy: healthy), at: date) { health in
            health.manualDown = !healthy
            if healthy { health.registered = true }
        }
    }

    private static func notFound(_ service: ServiceKey, _ ip: String, _ port: Int) -> RegistryError {
        .instanceNotFound("instance not found: \(ip):\(port) in \(service.groupedName)")
    }

    /// The last health transitions of an instance, oldest first.
    public func history(service: ServiceKey, ip: String, port: Int) -> [HealthTransition] {
        mutate { $0.services[service]?.instances[Address(ip: ip, port: port)]?.history.items ?? [] }
    }

    /// Marks instances whose beats stopped unhealthy, and removes those silent past the delete timeout.
    func sweepBeats() {
        let now = clock.now
        let date = clock.wallNow
        var expired: [InstanceKey] = []
        let transitions = mutate { state -> [HealthTransition] in
            var made: [HealthTransition] = []
            for (service, entry) in state.services {
                for (address, instance) in entry.instances where instance.owner == .beats {
                    let silence = now - instance.lastBeat
                    let key = InstanceKey(service: service, ip: address.ip, port: address.port)
                    if silence > instance.beat.deleteAfter {
                        expired.append(key)
                    } else if silence > instance.beat.unhealthyAfter, !instance.health.beatExpired {
                        let after = instance.beat.unhealthyAfter
                        if let transition = state.updateHealth(
                            key, cause: .beatExpired(after: after), at: date,
                            {
                                $0.beatExpired = true
                            })
                        {
                            made.append(transition)
                        }
                    }
                }
            }
            return made
        }
        publish(transitions)
        for key in expired {
            publish(remove(key, reason: "no beat within the delete timeout"))
        }
        sweepEmptyServices()
    }

    /// Forgets services with neither settings nor instances once they have been empty for
    /// `emptyServiceRetention` (Nacos: 60 s).
    func sweepEmptyServices() {
        let cutoff =
            Int64(clock.wallNow.timeIntervalSince1970 * 1000) - configuration.emptyServiceRetention.milliseconds
        mutate { state in
            for (key, entry) in state.services where entry.isEmpty && entry.revision < cutoff {
                state.services[key] = nil
                state.probedServices[key.description] = nil
            }
        }
    }

    /// Called by the check engine on every status change of an instance probe.
    func checkStatusChanged(name: String, result: CheckResult) {
        let date = clock.wallNow
        let transition = mutate { state -> HealthTransition? in
            guard let (key, source) = Self.owner(ofCheck: name, in: state) else { return nil }
            let verdict: Bool? = result.status == .notYetRun ? nil : result.isHealthy
            let cause: HealthCause =
                verdict == false
                ? .checkFailed(check: source.rawValue, error: result.error ?? "failed")
                : .checkPassed(check: source.rawValue)
            return state.updateHealth(key, cause: cause, at: date) { health in
                switch source {
                case .cluster: health.serverCheck = verdict
                case .declared: health.declaredCheck = verdict
                }
            }
        }
        publish(transition.map { [$0] } ?? [])
    }
}

extension Duration {
    /// Whole milliseconds, the unit of Nacos's timing fields and of `vitals.check.*` metadata.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
