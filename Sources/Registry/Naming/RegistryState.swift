import Foundation
import HealthChecks

/// An address within a service.
struct Address: Hashable, Sendable {
    let ip: String
    let port: Int
}

/// Which probe of an instance a check is.
enum CheckSource: String, Sendable {
    case cluster
    case declared
}

/// What keeps an instance registered.
public enum InstanceOwner: Sendable, Equatable {
    /// An ephemeral instance kept alive by HTTP beats.
    case beats
    /// An ephemeral instance owned by a client connection (Nacos gRPC): it goes with the connection.
    case connection(String)
    /// A persistent instance: stays until deregistered.
    case persistent
}

/// One instance and everything the registry tracks about it.
struct InstanceEntry: Sendable {
    var instance: Instance
    var owner: InstanceOwner
    var health: InstanceHealth
    var beat: BeatTiming
    /// Monotonic time of the last beat (or of registration).
    var lastBeat: Duration
    var history = TransitionHistory()
    /// Probes currently scheduled for this instance.
    var probes = InstanceProbes()
}

struct ServiceEntry: Sendable {
    var definition: ServiceDefinition?
    var instances: [Address: InstanceEntry] = [:]
    /// Monotonic change counter reported as `lastRefTime`.
    var revision: Int64 = 0
    /// Cluster probes by cluster name, shared by the instances' entries (see ``ClusterProbe``).
    var clusterProbes: [String: ClusterProbe] = [:]

    var isEmpty: Bool { definition == nil && instances.isEmpty }
}

/// The registry's in-memory state, guarded by one mutex.
struct RegistryState: Sendable {
    var namespaces: [String: Namespace] = [
        ServiceKey.defaultNamespace: Namespace(
            id: ServiceKey.defaultNamespace, name: "public", description: "Default Namespace")
    ]
    var services: [ServiceKey: ServiceEntry] = [:]
    /// Services with scheduled probes by their description, the prefix of their check names,
    /// so a check name leads back to its instance (see `Registry.owner(ofCheck:in:)`). One entry
    /// per service instead of one per probe: a name → owner table was ~250 B per persistent
    /// instance at 100k (a dictionary's power-of-two slack included).
    var probedServices: [String: ServiceKey] = [:]
    /// Services changed since the last drain, for push subscribers.
    var changed: Set<ServiceKey> = []
    private var lastRevision: Int64 = 0

    /// A strictly increasing revision, based on wall time in milliseconds like Nacos's `lastRefTime`.
    mutating func nextRevision() -> Int64 {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        lastRevision = max(lastRevision + 1, now)
        return lastRevision
    }

    mutating func touch(_ service: ServiceKey) {
        let revision = nextRevision()
        services[service]?.revision = revision
        changed.insert(service)
    }

    mutating func drainChanges() -> Set<ServiceKey> {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed
    }

    /// Changes one health input and returns the transition when the overall verdict changed.
    mutating func updateHealth(
        _ key: InstanceKey, cause: HealthCause, at date: Date, _ change: (inout InstanceHealth) -> Void
    ) -> HealthTransition? {
        let address = Address(ip: key.ip, port: key.port)
        guard var entry = services[key.service]?.instances[address] else { return nil }
        let before = entry.health.healthy
        change(&entry.health)
        let after = entry.health.healthy
        var transition: HealthTransition?
        if before != after {
            let made = HealthTransition(instance: key, from: before, to: after, cause: cause, at: date)
            entry.history.append(made)
            transition = made
        }
        services[key.service]?.instances[address] = entry
        if transition != nil { touch(key.service) }
        return transition
    }
}
