import Foundation

/// One instance as lists show it.
public struct InstanceView: Sendable {
    public let service: ServiceKey
    public let instance: Instance
    /// What clients are told: the true health, or `true` for everyone under protection.
    public let healthy: Bool
    /// The instance's real health, whatever the protect threshold says.
    public let trueHealthy: Bool
    public let beat: BeatTiming
    public let instanceID: String
}

/// A service's instances as `instance/list` answers (Nacos's `ServiceInfo`).
public struct ServiceInstances: Sendable {
    public let service: ServiceKey
    public let clusters: [String]
    public let hosts: [InstanceView]
    /// Strictly increasing per change of the service, in milliseconds.
    public let lastRefTime: Int64
    public let reachProtectionThreshold: Bool
}

/// A service's settings and the clusters in use.
public struct ServiceDetail: Sendable {
    public let definition: ServiceDefinition
    /// Clusters that have instances or settings.
    public let clusters: [ClusterConfig]
    public let instanceCount: Int
    public let healthyInstanceCount: Int
}

extension Registry {
    /// Enabled instances of a service, optionally limited to clusters and to healthy ones,
    /// with the protect threshold applied when the service has one.
    public func list(service: ServiceKey, clusters: [String] = [], healthyOnly: Bool = false) -> ServiceInstances {
        mutate { state in
            let entry = state.services[service]
            let wanted = Set(clusters.filter { !$0.isEmpty })
            let candidates = (entry?.instances.values ?? [:].values)
                .filter { $0.instance.enabled && (wanted.isEmpty || wanted.contains($0.instance.cluster)) }
                .sorted { ($0.instance.ip, $0.instance.port) < ($1.instance.ip, $1.instance.port) }
            let healthyCount = candidates.filter(\.health.healthy).count
            var protected = false
            if configuration.protectThresholdEnabled, let definition = entry?.definition, !candidates.isEmpty {
                let threshold = max(0, definition.protectThreshold)
                protected = Double(healthyCount) / Double(candidates.count) <= threshold
            }
            let hosts =
                candidates
                .filter { protected || !healthyOnly || $0.health.healthy }
                .map {
                    InstanceView(
                        service: service, instance: $0.instance, healthy: protected || $0.health.healthy,
                        trueHealthy: $0.health.healthy, beat: $0.beat, instanceID: $0.instance.instanceID(in: service))
                }
            return ServiceInstances(
                service: service, clusters: clusters, hosts: hosts, lastRefTime: entry?.revision ?? 0,
                reachProtectionThreshold: protected)
        }
    }

    /// The service's current revision (`lastRefTime` of its lists), or `nil` when it is unknown:
    /// a list answered at a revision stays right until the revision changes, so adapters may cache it.
    public func revision(of service: ServiceKey) -> Int64? {
        mutate { $0.services[service]?.revision }
    }

    /// One instance, enabled or not, with its true health.
    public func instance(service: ServiceKey, ip: String, port: Int) -> InstanceView? {
        mutate { state in
            guard let entry = state.services[service]?.instances[Address(ip: ip, port: port)] else { return nil }
            return InstanceView(
                service: service, instance: entry.instance, healthy: entry.health.healthy,
                trueHealthy: entry.health.healthy, beat: entry.beat, instanceID: entry.instance.instanceID(in: service))
        }
    }

    /// Every instance of a service, including disabled ones (statuses, catalog).
    public func allInstances(service: ServiceKey) -> [InstanceView] {
        mutate { state in
            (state.services[service]?.instances.values ?? [:].values)
                .sorted { ($0.instance.ip, $0.instance.port) < ($1.instance.ip, $1.instance.port) }
                .map {
                    InstanceView(
                        service: service, instance: $0.instance, healthy: $0.health.healthy,
                        trueHealthy: $0.health.healthy, beat: $0.beat, instanceID: $0.instance.instanceID(in: service))
                }
        }
    }

    /// A service's settings; services known only through ephemeral instances get default settings.
    public func service(_ key: ServiceKey) -> ServiceDetail? {
        mutate { state in
            guard let entry = state.services[key] else { return nil }
            let definition = entry.definition ?? ServiceDefinition(key: key, ephemeral: true)
            var names = Set(definition.clusters.keys)
            for instance in entry.instances.values { names.insert(instance.instance.cluster) }
            return ServiceDetail(
                definition: definition,
                clusters: names.sorted().map { definition.cluster($0) },
                instanceCount: entry.instances.count,
                healthyInstanceCount: entry.instances.values.filter(\.health.healthy).count)
        }
    }

    /// Names of the services of a namespace and group, sorted, one page at a time.
    public func serviceNames(namespace: String, group: String?, page: Int, pageSize: Int) -> (
        count: Int, names: [String]
    ) {
        mutate { state in
            let names = state.services.keys
                .filter { $0.namespace == namespace && (group == nil || $0.group == group) }
                .map(\.name)
                .sorted()
            return (names.count, Array(Paging.slice(names, page: page, size: pageSize)))
        }
    }

    /// Grouped names of all services per namespace (`namespace` nil = all).
    public func groupedServiceNames(namespace: String?) -> [String: [String]] {
        mutate { state in
            var result: [String: [String]] = [:]
            for key in state.services.keys where namespace == nil || key.namespace == namespace {
                result[key.namespace, default: []].append(key.groupedName)
            }
            return result.mapValues { $0.sorted() }
        }
    }

    /// Counts for `/operator/metrics`.
    public func counts() -> (services: Int, instances: Int, healthyInstances: Int) {
        mutate { state in
            let instances = state.services.values.flatMap(\.instances.values)
            return (state.services.count, instances.count, instances.filter(\.health.healthy).count)
        }
    }
}

/// Paged lists, as the Nacos list routes take them.
public enum Paging {
    /// Page `page` (1-based; below 1 is 1) of `size` elements: empty past the end, however large `page` is.
    public static func slice<T>(_ items: [T], page: Int, size: Int) -> ArraySlice<T> {
        let size = max(1, size)
        let (start, overflow) = (max(1, page) - 1).multipliedReportingOverflow(by: size)
        guard !overflow, start < items.count else { return [] }
        return items[start..<(start + min(size, items.count - start))]
    }
}
