import HealthChecks

/// One probe of one instance that changes, decided under the state lock and applied to the
/// engine outside it.
struct ProbeChange {
    /// The engine check name, made once and shared by the engine and the check.
    let name: String
    let hadProbe: Bool
    /// `nil`: the probe goes.
    let spec: ProbeSpec?
    let initiallyPassing: Bool
}

extension Registry {
    /// `namespace/group@@service/ip:port#source`, built without string interpolation (one per
    /// probe of every loaded instance).
    static func checkName(_ key: InstanceKey, _ source: CheckSource) -> String {
        let service = key.service
        let port = String(key.port)
        var name = ""
        name.reserveCapacity(
            service.namespace.utf8.count + service.group.utf8.count + service.name.utf8.count + key.ip.utf8.count
                + port.utf8.count + source.rawValue.utf8.count + 6)
        name += service.namespace
        name += "/"
        name += service.group
        name += ServiceKey.groupSeparator
        name += service.name
        name += "/"
        name += key.ip
        name += ":"
        name += port
        name += "#"
        name += source.rawValue
        return name
    }

    /// Brings an instance's scheduled probes in line with its cluster config and metadata.
    func syncProbes(_ key: InstanceKey) {
        syncProbes([key])
    }

    /// Brings instances' scheduled probes in line with their cluster config and metadata: one
    /// pass under the lock decides what changes, the engine is updated outside it.
    func syncProbes(_ keys: [InstanceKey]) {
        let changes = mutate { state -> [ProbeChange] in
            var changes: [ProbeChange] = []
            for key in keys {
                let address = Address(ip: key.ip, port: key.port)
                guard var service = state.services.removeValue(forKey: key.service) else { continue }
                if var entry = service.instances[address] {
                    let cluster = entry.instance.ephemeral ? nil : clusterProbe(entry.instance.cluster, of: &service)
                    if align(&entry, key: key, cluster: cluster, changes: &changes) {
                        state.probedServices[key.service.description] = key.service
                    }
                    service.instances[address] = entry
                }
                state.services[key.service] = service
            }
            return changes
        }
        apply(changes)
    }

    /// Brings the probes of every instance of `services` in line, visiting each service's
    /// instances in place; the cluster probe is looked up once per run of one cluster.
    func syncProbes(of services: [ServiceKey]) {
        let changes = mutate { state -> [ProbeChange] in
            var changes: [ProbeChange] = []
            for key in services {
                guard var service = state.services.removeValue(forKey: key) else { continue }
                var cluster: (name: String, probe: ClusterProbe)?
                var probed = false
                var index = service.instances.startIndex
                while index != service.instances.endIndex {
                    let address = service.instances.keys[index]
                    let instance = service.instances.values[index].instance
                    var wanted: ClusterProbe?
                    if !instance.ephemeral {
                        if let cluster, cluster.name == instance.cluster {
                            wanted = cluster.probe
                        } else {
                            let probe = clusterProbe(instance.cluster, of: &service)
                            cluster = (instance.cluster, probe)
                            wanted = probe
                        }
                    }
                    probed =
                        align(
                            &service.instances.values[index],
                            key: InstanceKey(service: key, ip: address.ip, port: address.port),
                            cluster: wanted, changes: &changes) || probed
                    service.instances.formIndex(after: &index)
                }
                state.services[key] = service
                if probed { state.probedServices[key.description] = key }
            }
            return changes
        }
        apply(changes)
    }

    /// Updates one instance's probe records towards `cluster` (its cluster's probe, `nil` for an
    /// ephemeral instance) and its declared check, and notes the engine changes. Returns whether
    /// a probe was added.
    private func align(
        _ entry: inout InstanceEntry, key: InstanceKey, cluster: ClusterProbe?, changes: inout [ProbeChange]
    ) -> Bool {
        var added = false
        let wantedCluster = cluster?.template == nil ? nil : cluster
        if ClusterProbe.same(entry.probes.cluster, wantedCluster) {
            // Same probe; keep the cluster's current record so an older one can be freed.
            entry.probes.cluster = wantedCluster
        } else {
            let name = Self.checkName(key, .cluster)
            let spec = wantedCluster?.spec(for: entry.instance)
            added = added || spec != nil
            // No probe any more: its verdict no longer counts.
            if spec == nil { entry.health.serverCheck = nil }
            changes.append(
                ProbeChange(
                    name: name, hadProbe: entry.probes.cluster != nil, spec: spec,
                    initiallyPassing: entry.health.registered))
            entry.probes.cluster = wantedCluster
        }
        let declaredSpec = (try? DeclaredCheck.spec(for: entry.instance)) ?? nil
        if entry.probes.declared?.spec != declaredSpec {
            let name = Self.checkName(key, .declared)
            added = added || declaredSpec != nil
            if declaredSpec == nil { entry.health.declaredCheck = nil }
            changes.append(
                ProbeChange(
                    name: name, hadProbe: entry.probes.declared != nil, spec: declaredSpec, initiallyPassing: false))
            entry.probes.declared = declaredSpec.map(DeclaredProbe.init)
        }
        return added
    }

    /// The instance and source of a check named by ``checkName(_:_:)``, if that instance still
    /// has a probe of that source. Parsed from the right: the source after the last `#`, the
    /// port after the last `:`; an ip may contain `/`, so each `/` is tried as the end of the
    /// service's description.
    static func owner(ofCheck name: String, in state: RegistryState) -> (InstanceKey, CheckSource)? {
        guard let hash = name.lastIndex(of: "#"),
            let source = CheckSource(rawValue: String(name[name.index(after: hash)...]))
        else { return nil }
        let target = name[..<hash]
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            return nil
        }
        let head = target[..<colon]
        var slash = head.firstIndex(of: "/")
        while let found = slash {
            if let service = state.probedServices[String(head[..<found])] {
                let ip = String(head[head.index(after: found)...])
                if let entry = state.services[service]?.instances[Address(ip: ip, port: port)] {
                    let probed = source == .cluster ? entry.probes.cluster != nil : entry.probes.declared != nil
                    return probed ? (InstanceKey(service: service, ip: ip, port: port), source) : nil
                }
            }
            slash = head[head.index(after: found)...].firstIndex(of: "/")
        }
        return nil
    }

    /// Removes replaced probes from the engine and registers the new ones in one bulk call.
    private func apply(_ changes: [ProbeChange]) {
        var registrations: [CheckRegistration] = []
        registrations.reserveCapacity(changes.count)
        for change in changes {
            if change.hadProbe { checks.deregister(change.name) }
            guard let spec = change.spec else { continue }
            // Spread first runs over one interval, so thousands of instances loaded or
            // registered at once do not probe in the same instant.
            let jitter = Duration.milliseconds(Int64.random(in: 0..<max(1, spec.interval.milliseconds)))
            let options = CheckOptions(
                interval: spec.interval,
                initialDelay: jitter,
                timeout: spec.timeout + .milliseconds(250),
                initiallyPassing: change.initiallyPassing,
                thresholds: Thresholds(successesBeforePassing: spec.rise, failuresBeforeCritical: spec.fall))
            registrations.append(CheckRegistration(probes.makeCheck(name: change.name, spec: spec), options: options))
        }
        guard !registrations.isEmpty else { return }
        checks.register(contentsOf: registrations)
    }

    /// The shared probe of a cluster of `service`, derived again only when its settings changed.
    private func clusterProbe(_ name: String, of service: inout ServiceEntry) -> ClusterProbe {
        let config = service.definition?.cluster(name) ?? ClusterConfig(name: name)
        if let cached = service.clusterProbes[name], cached.config == config { return cached }
        let made = ClusterProbe(config: config, template: clusterTemplate(config))
        service.clusterProbes[name] = made
        return made
    }

    /// A cluster's probe with the instance's host and port left to ``ClusterProbe/spec(for:)``.
    private func clusterTemplate(_ cluster: ClusterConfig) -> ProbeSpec? {
        let kind: ProbeSpec.Kind
        switch cluster.healthChecker {
        case .none: return nil
        case .tcp: kind = .tcp
        case .http(let path, let headers, let expected):
            kind = .http(
                scheme: "http", path: path.isEmpty ? "/" : path, headers: headers, expectedStatus: String(expected))
        }
        func tuned(_ key: String, _ fallback: Int) -> Int {
            cluster.metadata["vitals.check.\(key)"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? fallback
        }
        let times = configuration.clusterCheckTimes
        return ProbeSpec(
            kind: kind,
            host: "",
            port: cluster.checkPort,
            interval: .milliseconds(tuned("interval", Int(configuration.clusterCheckInterval.milliseconds))),
            timeout: .milliseconds(tuned("timeout", Int(configuration.clusterCheckTimeout.milliseconds))),
            rise: tuned("rise", times),
            fall: tuned("fall", times),
            nacosFailureRules: true)
    }
}
