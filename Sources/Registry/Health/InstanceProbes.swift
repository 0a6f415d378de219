import HealthChecks

/// A cluster's probe, derived once per cluster and shared by the entries of all its instances.
///
/// Deriving the probe per instance was a large part of a 100k-instance restart, and a
/// `ProbeSpec` copy per instance was ~350 B of its memory. `config` is what it was derived
/// from: a cached probe whose cluster settings changed since is derived again.
final class ClusterProbe: Sendable {
    let config: ClusterConfig
    /// `nil` when the cluster's checker is NONE. Host and port are filled in per instance.
    let template: ProbeSpec?

    init(config: ClusterConfig, template: ProbeSpec?) {
        self.config = config
        self.template = template
    }

    /// The probe of one instance of the cluster.
    func spec(for instance: Instance) -> ProbeSpec? {
        guard var spec = template else { return nil }
        spec.host = instance.ip
        if config.useInstancePort { spec.port = instance.port }
        return spec
    }

    /// Whether both would probe an instance the same way.
    static func same(_ lhs: ClusterProbe?, _ rhs: ClusterProbe?) -> Bool {
        if lhs === rhs { return true }
        guard let lhs, let rhs else { return false }
        return lhs.template == rhs.template && lhs.config.useInstancePort == rhs.config.useInstancePort
    }
}

/// A probe an instance declared in its own `vitals.check.*` metadata, boxed so that the many
/// instances without one pay a pointer, not a `ProbeSpec`.
final class DeclaredProbe: Sendable {
    let spec: ProbeSpec

    init(_ spec: ProbeSpec) {
        self.spec = spec
    }

    static func same(_ lhs: DeclaredProbe?, _ rhs: DeclaredProbe?) -> Bool {
        lhs === rhs || lhs?.spec == rhs?.spec
    }
}

/// The probes currently scheduled for one instance.
struct InstanceProbes: Sendable {
    var cluster: ClusterProbe?
    var declared: DeclaredProbe?

    /// The sources with a scheduled probe.
    var sources: [CheckSource] {
        var sources: [CheckSource] = []
        if cluster != nil { sources.append(.cluster) }
        if declared != nil { sources.append(.declared) }
        return sources
    }
}
