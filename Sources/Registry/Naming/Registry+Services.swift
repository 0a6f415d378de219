import Foundation
import Synchronization

extension Registry {
    /// Creates a service with its settings (stored durably).
    public func createService(_ definition: ServiceDefinition) async throws {
        try Self.validate(definition)
        let exists = mutate { $0.services[definition.key]?.definition != nil }
        guard !exists else {
            throw RegistryError.serviceAlreadyExists("specified service \(definition.key.groupedName) already exists!")
        }
        try await commit([.putService(definition)]) {
            self.mutate { state in
                state.services[definition.key, default: ServiceEntry()].definition = definition
                state.touch(definition.key)
            }
        }
    }

    /// Changes a service's protect threshold, metadata and selector; the ephemeral flag stays.
    public func updateService(
        _ key: ServiceKey, _ change: @Sendable (inout ServiceDefinition) -> Void
    ) async throws {
        guard let current = mutate({ $0.services[key] }) else {
            throw RegistryError.serviceNotFound("service \(key.groupedName) not found!")
        }
        var definition =
            current.definition
            ?? ServiceDefinition(key: key, ephemeral: current.instances.values.first?.instance.ephemeral ?? false)
        let ephemeral = definition.ephemeral
        change(&definition)
        definition.ephemeral = ephemeral
        try Self.validate(definition)
        let final = definition
        try await commit([.putService(final)]) {
            self.mutate { state in
                state.services[key, default: ServiceEntry()].definition = final
                state.touch(key)
            }
        }
        resyncProbes(of: key)
    }

    /// Deletes a service that has no instances.
    public func deleteService(_ key: ServiceKey) async throws {
        guard let entry = mutate({ $0.services[key] }) else {
            throw RegistryError.serviceNotFound("service \(key.groupedName) not found!")
        }
        guard entry.instances.isEmpty else {
            throw RegistryError.serviceNotEmpty(
                "Service \(key.groupedName) is not empty, can't be delete. Please unregister instance first")
        }
        try await commit([.deleteService(key)]) {
            self.mutate { state in
                if state.services[key]?.instances.isEmpty == true {
                    state.services[key] = nil
                    state.probedServices[key.description] = nil
                }
            }
        }
    }

    /// Sets a cluster's checker and ports (`PUT /nacos/v1/ns/cluster`); the service must exist.
    public func updateCluster(_ cluster: ClusterConfig, of key: ServiceKey) async throws {
        guard (1...65535).contains(cluster.checkPort) || cluster.useInstancePort else {
            throw RegistryError.invalidParameter("Param 'checkPort' is illegal")
        }
        try await updateService(key) { definition in
            definition.clusters[cluster.name] = cluster
        }
    }

    private func resyncProbes(of service: ServiceKey) {
        syncProbes(of: [service])
    }

    static func validate(_ definition: ServiceDefinition) throws {
        guard (0...1).contains(definition.protectThreshold) || definition.protectThreshold < 0 else {
            throw RegistryError.invalidParameter("Param 'protectThreshold' must be between 0 and 1")
        }
        let name = definition.key.name
        guard !name.isEmpty, name.count <= 512, !name.hasPrefix("@"), !name.contains("@@"),
            !name.contains(where: \.isWhitespace)
        else {
            throw RegistryError.invalidParameter(
                "Param 'serviceName' is illegal, illegal characters should not appear in the param.")
        }
    }

    // MARK: Namespaces

    public func namespaces() -> [Namespace] {
        mutate { state in
            state.namespaces.values.sorted {
                ($0.id == ServiceKey.defaultNamespace ? 0 : 1, $0.id) < (
                    $1.id == ServiceKey.defaultNamespace ? 0 : 1, $1.id
                )
            }
        }
    }

    public func createNamespace(_ namespace: Namespace) async throws {
        guard !namespace.id.isEmpty, namespace.id.count <= 128,
            namespace.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw RegistryError.invalidParameter("namespaceId [\(namespace.id)] mismatch the pattern")
        }
        guard mutate({ $0.namespaces[namespace.id] == nil }) else {
            throw RegistryError.namespaceAlreadyExists("the namespaceId is existed, namespaceId: \(namespace.id)")
        }
        try await commit([.putNamespace(namespace)]) {
            self.mutate { $0.namespaces[namespace.id] = namespace }
        }
    }

    public func updateNamespace(_ namespace: Namespace) async throws {
        guard mutate({ $0.namespaces[namespace.id] != nil }) else {
            throw RegistryError.namespaceNotFound("namespace \(namespace.id) does not exist")
        }
        try await commit([.putNamespace(namespace)]) {
            self.mutate { $0.namespaces[namespace.id] = namespace }
        }
    }

    public func deleteNamespace(_ id: String) async throws {
        guard id != ServiceKey.defaultNamespace, mutate({ $0.namespaces[id] != nil }) else {
            throw RegistryError.namespaceNotFound("namespace \(id) does not exist")
        }
        try await commit([.deleteNamespace(id)]) {
            _ = self.mutate { $0.namespaces.removeValue(forKey: id) }
        }
    }
}
