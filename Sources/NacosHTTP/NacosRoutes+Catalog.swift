import Foundation
import Hummingbird
import NacosWire
import Registry

extension NacosRoutes {
    /// `PUT`/`DELETE …/instance/metadata/batch`: add or remove metadata keys on several instances.
    func metadataBatch(remove: Bool) -> Handler {
        { p, version in
            let service = try p.service()
            guard let metadata = try p.metadata() else { throw NacosError.missing("metadata") }
            let persistent = p.optional("consistencyType") == "persist"
            var targets: [(ip: String, port: Int)]?
            if let text = p.optional("instances") {
                guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
                    throw NacosError.invalid("Param 'instances' must be a JSON array of {ip, port}")
                }
                let parsed = array.compactMap { item -> (ip: String, port: Int)? in
                    guard let ip = item["ip"] as? String, let port = (item["port"] as? NSNumber)?.intValue else {
                        return nil
                    }
                    return (ip, port)
                }
                targets = parsed.isEmpty ? nil : parsed
            }
            let changed = try await registry.updateMetadata(service: service, targets: targets, ephemeral: !persistent)
            {
                existing in
                for (key, value) in metadata {
                    if remove { existing[key] = nil } else { existing[key] = value }
                }
            }
            let updated = changed.map {
                "\($0.instance.ip):\($0.instance.port):unknown:\($0.instance.cluster):\($0.instance.ephemeral ? "ephemeral" : "persist")"
            }
            return version.data(["updated": updated])
        }
    }

    /// Vitals keeps no HTTP subscribers (v1 UDP push is not offered), so the list is honest and empty.
    func subscribers(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        _ = try p.service()
        return version.data(SubscribersJSON(subscribers: [], count: 0))
    }

    func catalogService(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        guard let detail = registry.service(key) else {
            throw NacosError.notFound("service \(key.groupedName) is not found!")
        }
        return NacosResponse.json(CatalogServiceJSON(detail))
    }

    func catalogInstances(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let key = try p.service()
        let page = max(1, try p.int("pageNo", default: 1))
        let size = min(1000, max(1, try p.int("pageSize", default: 100)))
        var views = registry.allInstances(service: key)
        if version == .v1 {
            let cluster = try p.required("clusterName")
            guard views.contains(where: { $0.instance.cluster == cluster }) else {
                throw NacosError.notFound("cluster \(cluster) is not found!")
            }
            views = views.filter { $0.instance.cluster == cluster }
        } else {
            if try p.bool("healthyOnly", default: false) { views = views.filter(\.trueHealthy) }
            if try p.bool("enabledOnly", default: false) { views = views.filter(\.instance.enabled) }
        }
        let pageItems = Paging.slice(views, page: page, size: size)
        var writer = JSONWriter(capacity: 128 + pageItems.count * 400)
        writer.object { w in
            w.key(version == .v1 ? "list" : "instances")
            w.array { hosts in
                for view in pageItems { ServiceInfoWriter.writeHost(view, into: &hosts) }
            }
            w.key("count")
            w.value(views.count)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    func catalogServices(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let namespace = p.optional("namespaceId") ?? ServiceKey.defaultNamespace
        let page = max(1, try p.int("pageNo", default: 1))
        let size = min(1000, max(1, try p.int("pageSize", default: 10)))
        let nameFilter = p.optional("serviceNameParam")
        let groupFilter = p.optional("groupNameParam")
        let grouped = registry.groupedServiceNames(namespace: namespace)[namespace] ?? []
        let keys = grouped.compactMap { try? ServiceKey(namespace: namespace, group: nil, serviceName: $0) }
            .filter { key in
                (nameFilter.map { key.name.contains($0) } ?? true)
                    && (groupFilter.map { key.group.contains($0) } ?? true)
            }
        let pageKeys = Paging.slice(keys, page: page, size: size)
        let rows = pageKeys.compactMap { key -> CatalogServiceRowJSON? in
            registry.service(key).map { CatalogServiceRowJSON($0) }
        }
        return NacosResponse.json(CatalogServicesJSON(count: keys.count, serviceList: rows))
    }

    /// Switches are set in the config file; Vitals refuses runtime changes instead of ignoring them.
    func updateSwitch(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let entry = try p.required("entry")
        _ = try p.required("value")
        throw NacosError.invalid(
            "switch '\(entry)' cannot be changed at runtime in Vitals; set it in the config file's registry section")
    }

    /// `/nacos/v2/ns/instance/statuses/{key}`.
    func statusesByPath<Context: RequestContext>(_ router: Router<Context>) {
        for method in [HTTPRequest.Method.get, .post, .put] {
            router.on("/nacos/v2/ns/instance/statuses/:key", method: method) { request, context -> Response in
                do {
                    let raw = context.parameters.get("key") ?? ""
                    let key = raw.removingPercentEncoding ?? raw
                    var parameters = try await NacosParameters.from(request)
                    parameters["key"] = key
                    try authority.check(request, parameters, .read)
                    return try await statuses(parameters, .v2)
                } catch {
                    return NacosAPIVersion.v2.failure(NacosError.wrap(error))
                }
            }
        }
    }
}

struct SubscribersJSON: Encodable, Sendable {
    let subscribers: [String]
    let count: Int
}

struct CatalogServiceJSON: Encodable, Sendable {
    struct ServiceJSON: Encodable, Sendable {
        let name: String
        let groupName: String
        let protectThreshold: Double
        let selector: SelectorJSON
        let metadata: [String: String]
    }

    struct ClusterRowJSON: Encodable, Sendable {
        let serviceName: String
        let name: String
        let healthChecker: CheckerJSON
        let defaultPort = 80
        let defaultCheckPort: Int
        let useIPPort4Check: Bool
        let metadata: [String: String]
    }

    let service: ServiceJSON
    let clusters: [ClusterRowJSON]

    init(_ detail: ServiceDetail) {
        let definition = detail.definition
        service = ServiceJSON(
            name: definition.key.name, groupName: definition.key.group, protectThreshold: definition.protectThreshold,
            selector: SelectorJSON(type: definition.selector == nil ? "none" : "label", contextType: nil),
            metadata: definition.metadata)
        clusters = detail.clusters.map {
            ClusterRowJSON(
                serviceName: definition.key.groupedName, name: $0.name, healthChecker: CheckerJSON($0.healthChecker),
                defaultCheckPort: $0.checkPort, useIPPort4Check: $0.useInstancePort, metadata: $0.metadata)
        }
    }
}

struct CatalogServiceRowJSON: Encodable, Sendable {
    let name: String
    let groupName: String
    let clusterCount: Int
    let ipCount: Int
    let healthyInstanceCount: Int
    let triggerFlag: String

    init(_ detail: ServiceDetail) {
        name = detail.definition.key.name
        groupName = detail.definition.key.group
        clusterCount = detail.clusters.count
        ipCount = detail.instanceCount
        healthyInstanceCount = detail.healthyInstanceCount
        let ratio = detail.instanceCount == 0 ? 1 : Double(detail.healthyInstanceCount) / Double(detail.instanceCount)
        triggerFlag = detail.instanceCount > 0 && ratio <= detail.definition.protectThreshold ? "true" : "false"
    }
}

struct CatalogServicesJSON: Encodable, Sendable {
    let count: Int
    let serviceList: [CatalogServiceRowJSON]
}
