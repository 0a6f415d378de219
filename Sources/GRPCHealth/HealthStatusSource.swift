import GRPCHealthWire
import Registry

/// Answers "is this name serving?" for the gRPC health protocol: `""` is the server itself,
/// `group@@service` (or `namespace/group@@service`, or a plain name in `DEFAULT_GROUP`) is a
/// registry service, serving while it has a healthy enabled instance.
public struct HealthStatusSource: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    let registry: Registry
    let serverReady: @Sendable () -> Bool

    public init(registry: Registry, serverReady: @escaping @Sendable () -> Bool) {
        self.registry = registry
        self.serverReady = serverReady
    }

    /// `nil` for a name that is neither the server nor a known service.
    public func status(of name: String) -> Status? {
        if name.isEmpty { return serverReady() ? .serving : .notServing }
        guard let key = Self.serviceKey(name), registry.service(key) != nil else { return nil }
        let serving = registry.allInstances(service: key).contains { $0.trueHealthy && $0.instance.enabled }
        return serving ? .serving : .notServing
    }

    static func serviceKey(_ name: String) -> ServiceKey? {
        var namespace: String?
        var rest = Substring(name)
        if let slash = rest.firstIndex(of: "/") {
            namespace = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        return try? ServiceKey(namespace: namespace, group: nil, serviceName: String(rest))
    }

    /// Every known name with its status: the server and all services.
    public func all() -> [String: Status] {
        var result: [String: Status] = ["": serverReady() ? .serving : .notServing]
        for (namespace, names) in registry.groupedServiceNames(namespace: nil) {
            for grouped in names {
                let name = namespace == ServiceKey.defaultNamespace ? grouped : "\(namespace)/\(grouped)"
                if let status = status(of: name) { result[name] = status }
            }
        }
        return result
    }
}
