import Foundation
import HealthChecks
import Synchronization

extension Registry {
    /// `PUT …/health/instance`: marks an instance down until a `healthy=true` clears the mark.
    /// Clearing never overrides a failing check or expired beats. Works for every instance
    /// (Nacos refuses unless the cluster's checker is NONE).
    public func setHealth(service: ServiceKey, ip: String, port: Int, healthy: Bool) async throws {
        let key = InstanceKey(service: service, ip: ip, port: port)
        let address = Address(ip: ip, port: port)
        guard let entry = mutate({ $0.services[service]?.instances[address] }) else {
            throw RegistryError.instanceNotFound("instance not found: \(ip):\(port) in \(service.groupedName)")
        }
        let date = clock.wallNow
        let apply: @Sendable () -> HealthTransition? = {
            self.mutate { state in
                state.updateHealth(key, cause: .manual(healthy: healthy), at: date) { health in
                    health.manualDown = !healthy
                    if healthy { health.registered = true }
                }
            }
        }
        if entry.instance.ephemeral {
            publish(apply().map { [$0] } ?? [])
        } else {
            var stored = entry.instance
            if healthy { stored.registeredHealthy = true }
            let result = Mutex<HealthTransition?>(nil)
            try await commit([.putInstance(StoredInstance(service: service, instance: stored, manualDown: !healthy))]) {
                result.withLock { $0 = apply() }
            }
            publish(result.withLock { $0 }.map { [$0] } ?? [])
        }
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
