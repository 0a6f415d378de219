import Foundation
import NacosWire
import Registry

/// `GET /instance`: v1 names the service `service`, v2 `serviceName`.
struct InstanceDetailJSON: Encodable, Sendable {
    let service: String?
    let serviceName: String?
    let ip: String
    let port: Int
    let clusterName: String
    let weight: Double
    let healthy: Bool
    let enabled: Bool
    let ephemeral: Bool
    let instanceId: String
    let metadata: [String: String]

    init(_ view: InstanceView, version: NacosAPIVersion) {
        service = version == .v1 ? view.service.groupedName : nil
        serviceName = version == .v2 ? view.service.groupedName : nil
        ip = view.instance.ip
        port = view.instance.port
        clusterName = view.instance.cluster
        weight = view.instance.weight
        healthy = view.trueHealthy
        enabled = view.instance.enabled
        ephemeral = view.instance.ephemeral
        instanceId = view.instanceID
        metadata = view.instance.metadata
    }
}

/// A checker as Nacos renders it: `{"type":"TCP"}`, `{"type":"HTTP","path",…}`, `{"type":"NONE"}`.
struct CheckerJSON: Encodable, Sendable {
    let type: String
    let path: String?
    let headers: String?
    let expectedResponseCode: Int?

    init(_ checker: HealthCheckerConfig) {
        type = checker.typeName
        switch checker {
        case .http(let path, let headers, let expected):
            self.path = path
            self.headers = headers.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: "|")
            expectedResponseCode = expected
        case .tcp, .none:
            path = nil
            headers = nil
            expectedResponseCode = nil
        }
    }

    /// Parses Nacos's checker JSON; an unknown or missing type is NONE, as in Nacos.
    static func parse(_ text: String) throws -> HealthCheckerConfig {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw NacosError.invalid("Param 'healthChecker' must be a JSON object, got '\(text)'")
        }
        switch (object["type"] as? String)?.uppercased() {
        case "TCP": return .tcp
        case "HTTP":
            let expected = (object["expectedResponseCode"] as? NSNumber)?.intValue ?? 200
            guard (100...599).contains(expected) else {
                throw NacosError.invalid("expectedResponseCode must be an HTTP status code")
            }
            let headers: [String: String]
            do {
                headers = try DeclaredCheck.headers(object["headers"] as? String)
            } catch let error as RegistryError {
                throw NacosError.registry(error)
            }
            return .http(path: object["path"] as? String ?? "", headers: headers, expectedStatus: expected)
        case "MYSQL":
            throw NacosError.invalid("the MYSQL checker is not supported by Vitals; use TCP, HTTP or NONE")
        default: return .none
        }
    }
}

struct ClusterJSON: Encodable, Sendable {
    let name: String
    let clusterName: String
    let healthChecker: CheckerJSON
    let checkPort: Int
    let useInstancePort4Check: Bool
    let metadata: [String: String]

    init(_ cluster: ClusterConfig) {
        name = cluster.name
        clusterName = cluster.name
        healthChecker = CheckerJSON(cluster.healthChecker)
        checkPort = cluster.checkPort
        useInstancePort4Check = cluster.useInstancePort
        metadata = cluster.metadata
    }
}

struct SelectorJSON: Encodable, Sendable {
    let type: String
    let contextType: String?
}

struct ServiceDetailV1JSON: Encodable, Sendable {
    let namespaceId: String
    let groupName: String
    let name: String
    let protectThreshold: Double
    let metadata: [String: String]
    let selector: SelectorJSON
    let clusters: [ClusterJSON]
    let ephemeral: Bool

    init(_ detail: ServiceDetail) {
        let key = detail.definition.key
        namespaceId = key.namespace
        groupName = key.group
        name = key.name
        protectThreshold = detail.definition.protectThreshold
        metadata = detail.definition.metadata
        selector = SelectorJSON(type: detail.definition.selector == nil ? "none" : "label", contextType: nil)
        clusters = detail.clusters.map(ClusterJSON.init)
        ephemeral = detail.definition.ephemeral
    }
}

struct ServiceDetailV2JSON: Encodable, Sendable {
    let namespace: String
    let serviceName: String
    let groupName: String
    let clusterMap: [String: ClusterJSON]
    let metadata: [String: String]
    let protectThreshold: Double
    let selector: SelectorJSON
    let ephemeral: Bool

    init(_ detail: ServiceDetail) {
        let key = detail.definition.key
        namespace = key.namespace
        serviceName = key.name
        groupName = key.group
        clusterMap = Dictionary(uniqueKeysWithValues: detail.clusters.map { ($0.name, ClusterJSON($0)) })
        metadata = detail.definition.metadata
        protectThreshold = detail.definition.protectThreshold
        selector = SelectorJSON(type: detail.definition.selector == nil ? "none" : "label", contextType: "NONE")
        ephemeral = detail.definition.ephemeral
    }
}
