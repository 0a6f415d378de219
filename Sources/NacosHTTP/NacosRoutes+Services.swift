import Foundation
import Hummingbird
import NacosWire
import Registry

extension NacosRoutes {
    func createService(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        let definition = ServiceDefinition(
            key: key,
            protectThreshold: try p.double("protectThreshold", default: 0),
            metadata: try p.metadata() ?? [:],
            selector: p.optional("selector"),
            // v1 always creates persistent services; v2 takes `ephemeral` (default false).
            ephemeral: version == .v2 ? try p.bool("ephemeral", default: false) : false)
        try await registry.createService(definition)
        return version.ok()
    }

    func deleteService(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        try await registry.deleteService(try p.service())
        return version.ok()
    }

    func updateService(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        let threshold =
            version == .v1
            ? try Self.requiredDouble(p, "protectThreshold") : try p.double("protectThreshold", default: 0)
        let metadata = try p.metadata()
        let selector = p.optional("selector")
        try await registry.updateService(key) { definition in
            definition.protectThreshold = threshold
            if let metadata { definition.metadata = metadata }
            if let selector { definition.selector = selector }
        }
        return version.ok()
    }

    static func requiredDouble(_ p: NacosParameters, _ name: String) throws -> Double {
        _ = try p.required(name)
        return try p.double(name, default: 0)
    }

    func serviceDetail(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        guard let detail = registry.service(key) else {
            throw NacosError.registry(
                .serviceNotFound("service not found, namespace: \(key.namespace), serviceName: \(key.name)"))
        }
        switch version {
        case .v1: return version.data(ServiceDetailV1JSON(detail))
        case .v2: return version.data(ServiceDetailV2JSON(detail))
        }
    }

    func listServices(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let namespace = p.optional("namespaceId") ?? ServiceKey.defaultNamespace
        let group = p.optional("groupName") ?? ServiceKey.defaultGroup
        let page = max(1, try p.int("pageNo", default: 1))
        let size = min(500, max(1, try p.int("pageSize", default: version == .v1 ? 10 : 20)))
        let (count, names) = registry.serviceNames(namespace: namespace, group: group, page: page, pageSize: size)
        switch version {
        case .v1: return version.data(ServiceListV1JSON(count: count, doms: names))
        case .v2: return version.data(ServiceListV2JSON(count: count, services: names))
        }
    }

    func serviceNames(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let names = registry.groupedServiceNames(namespace: p.optional("namespaceId"))
        let filtered: [String: [String]]
        if let expression = p.optional("expr") {
            filtered = names.mapValues { $0.filter { $0.contains(expression) } }.filter { !$0.value.isEmpty }
        } else {
            filtered = names
        }
        return NacosResponse.json(
            ServiceNamesJSON(services: filtered, count: filtered.values.reduce(0) { $0 + $1.count }))
    }

    /// `PUT /nacos/v1/ns/cluster`: a cluster's checker, check port and whether to probe the instance port.
    func updateCluster(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        let name = try p.required("clusterName")
        let checker = try CheckerJSON.parse(try p.required("healthChecker"))
        let cluster = ClusterConfig(
            name: name,
            healthChecker: checker,
            checkPort: try p.int("checkPort"),
            useInstancePort: try p.bool("useInstancePort4Check", default: true),
            metadata: try p.metadata() ?? [:])
        guard registry.service(key) != nil else {
            throw NacosError.registry(.serviceNotFound("service not found:\(key.groupedName)"))
        }
        try await registry.updateCluster(cluster, of: key)
        return version.ok()
    }
}

struct ServiceListV1JSON: Encodable, Sendable {
    let count: Int
    let doms: [String]
}

struct ServiceListV2JSON: Encodable, Sendable {
    let count: Int
    let services: [String]
}

/// Nacos 2.5.1 really names this key `META-INF/services`; clients read it so.
struct ServiceNamesJSON: Encodable, Sendable {
    let services: [String: [String]]
    let count: Int

    private enum Keys: String, CodingKey {
        case services = "META-INF/services"
        case count
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(services, forKey: .services)
        try container.encode(count, forKey: .count)
    }
}
