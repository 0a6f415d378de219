/// A persistent instance as stored: the instance plus the one health input that is a user write.
public struct StoredInstance: Sendable, Equatable, Codable {
    public var service: ServiceKey
    public var instance: Instance
    public var manualDown: Bool

    public init(service: ServiceKey, instance: Instance, manualDown: Bool) {
        self.service = service
        self.instance = instance
        self.manualDown = manualDown
    }
}

/// Everything a store holds, read once at startup.
public struct RegistrySnapshot: Sendable {
    public var namespaces: [Namespace]
    public var services: [ServiceDefinition]
    public var instances: [StoredInstance]

    public init(namespaces: [Namespace] = [], services: [ServiceDefinition] = [], instances: [StoredInstance] = []) {
        self.namespaces = namespaces
        self.services = services
        self.instances = instances
    }
}

/// One durable change.
public enum StoreChange: Sendable {
    case putNamespace(Namespace)
    case deleteNamespace(String)
    case putService(ServiceDefinition)
    case deleteService(ServiceKey)
    case putInstance(StoredInstance)
    case deleteInstance(ServiceKey, ip: String, port: Int)
}

/// Durable storage for the registry's persistent data, in the registry's own terms.
///
/// `commit` writes all changes in one transaction and, only once it is durable, runs `apply`
/// before the next commit starts: memory changes in commit order, and never ahead of the disk.
public protocol RegistryStore: Sendable {
    func load() async throws -> RegistrySnapshot
    func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws
}
