import Auth
import Foundation
import NacosGRPCWire
import NacosWire
import Registry

/// Answers Nacos unary requests by type.
struct RequestHandler: Sendable {
    let registry: Registry
    let authority: Authority
    let connections: Connections
    let push: PushService

    func handle(_ payload: NacosPayload, peer: String) async -> NacosPayload {
        do {
            let message = try PayloadCodec.decode(payload)
            if message.type == "ServerCheckRequest" {
                let id = connections.id(for: peer)
                return PayloadCodec.response("ServerCheckResponse") { w in
                    w.key("connectionId")
                    w.value(id)
                    w.key("supportAbilityNegotiation")
                    w.value(true)
                }
            }
            guard connections.isRegistered(peer) else {
                throw NacosGRPCError(code: 301, "Connection is unregistered.")
            }
            try authorize(message)
            let connection = connections.id(for: peer)
            return try await dispatch(message, connection: connection)
        } catch let error as NacosGRPCError {
            return PayloadCodec.error(error)
        } catch let error as AuthError {
            // Nacos's NO_RIGHT: SDKs log in again and retry.
            return PayloadCodec.error(NacosGRPCError(code: 403, error.description))
        } catch let error as RegistryError {
            return PayloadCodec.error(NacosGRPCError(code: 400, error.description))
        } catch {
            return PayloadCodec.error(NacosGRPCError(code: 500, String(describing: error)))
        }
    }

    private func dispatch(_ message: NacosMessage, connection: String) async throws -> NacosPayload {
        switch message.type {
        case "HealthCheckRequest":
            return PayloadCodec.response("HealthCheckResponse")
        case "InstanceRequest", "PersistentInstanceRequest":
            return try await instance(
                message, connection: connection, forcePersistent: message.type == "PersistentInstanceRequest")
        case "BatchInstanceRequest":
            return try await batch(message, connection: connection)
        case "SubscribeServiceRequest":
            return try subscribe(message, connection: connection)
        case "ServiceQueryRequest":
            return try query(message)
        case "ServiceListRequest":
            return try serviceList(message)
        default:
            throw NacosGRPCError(code: 302, "unknown request type '\(message.type)'")
        }
    }

    /// Writes (registrations) need write access to the service, queries and subscriptions read
    /// access; connection upkeep (`HealthCheckRequest`) needs nothing.
    private func authorize(_ message: NacosMessage) throws {
        guard authority.isEnabled else { return }
        let requirement: AccessRequirement
        switch message.type {
        case "InstanceRequest", "PersistentInstanceRequest", "BatchInstanceRequest":
            requirement = .write(try Self.resource(of: message))
        case "SubscribeServiceRequest", "ServiceQueryRequest":
            requirement = .read(try Self.resource(of: message))
        case "ServiceListRequest":
            let namespace = message.string("namespace").flatMap { $0.isEmpty ? nil : $0 } ?? ServiceKey.defaultNamespace
            requirement = .read(AccessResource(namespace: namespace, group: message.string("groupName") ?? "*"))
        default:
            return
        }
        try authority.authorize(token: message.headers["accessToken"], requirement)
    }

    static func resource(of message: NacosMessage) throws -> AccessResource {
        let key = try service(of: message)
        return AccessResource(namespace: key.namespace, group: key.group, service: key.name)
    }

    /// The service a naming request is about; an empty namespace is `public`.
    static func service(of message: NacosMessage) throws -> ServiceKey {
        guard let name = message.string("serviceName"), !name.isEmpty else {
            throw NacosGRPCError(code: 400, "serviceName is required")
        }
        return try ServiceKey(
            namespace: message.string("namespace"), group: message.string("groupName"), serviceName: name)
    }

    static func instance(from object: Any?, ephemeralDefault: Bool) throws -> Instance {
        guard let json = object as? [String: Any] else { throw NacosGRPCError(code: 400, "instance is required") }
        guard let ip = json["ip"] as? String, !ip.isEmpty else {
            throw NacosGRPCError(code: 400, "instance ip is required")
        }
        guard let port = (json["port"] as? NSNumber)?.intValue else {
            throw NacosGRPCError(code: 400, "instance port is required")
        }
        var metadata: [String: String] = [:]
        if let raw = json["metadata"] as? [String: Any] {
            for (key, value) in raw {
                metadata[key] = (value as? String) ?? (value as? NSNumber)?.stringValue ?? "\(value)"
            }
        }
        let cluster = (json["clusterName"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? Instance.defaultCluster
        return Instance(
            ip: ip, port: port,
            weight: (json["weight"] as? NSNumber)?.doubleValue ?? 1,
            enabled: (json["enabled"] as? NSNumber)?.boolValue ?? true,
            ephemeral: (json["ephemeral"] as? NSNumber)?.boolValue ?? ephemeralDefault,
            cluster: cluster, metadata: metadata,
            registeredHealthy: (json["healthy"] as? NSNumber)?.boolValue ?? true)
    }

    private func instance(_ message: NacosMessage, connection: String, forcePersistent: Bool) async throws
        -> NacosPayload
    {
        let service = try Self.service(of: message)
        var instance = try Self.instance(from: message.body["instance"], ephemeralDefault: !forcePersistent)
        if forcePersistent { instance.ephemeral = false }
        let type = message.string("type") ?? ""
        switch type {
        case "registerInstance":
            try await registry.register(instance, in: service, connection: instance.ephemeral ? connection : nil)
        case "deregisterInstance":
            if instance.ephemeral {
                registry.deregister(connection: connection, service: service, ip: instance.ip, port: instance.port)
            } else {
                try await registry.deregister(service: service, ip: instance.ip, port: instance.port)
            }
        default:
            throw NacosGRPCError(code: 400, "Unsupported request type \(type)")
        }
        return PayloadCodec.response("InstanceResponse") { w in
            w.key("type")
            w.value(type)
        }
    }

    private func batch(_ message: NacosMessage, connection: String) async throws -> NacosPayload {
        let service = try Self.service(of: message)
        let type = message.string("type") ?? ""
        guard type == "batchRegisterInstance" || type == "batchDeregisterInstance" else {
            throw NacosGRPCError(code: 400, "Unsupported request type \(type)")
        }
        let instances = try ((message.body["instances"] as? [Any]) ?? []).map {
            try Self.instance(from: $0, ephemeralDefault: true)
        }
        if type == "batchRegisterInstance" {
            try await registry.replaceConnectionInstances(
                connection: connection, service: service, instances: instances)
        } else {
            for instance in instances {
                registry.deregister(connection: connection, service: service, ip: instance.ip, port: instance.port)
            }
        }
        return PayloadCodec.response("BatchInstanceResponse") { w in
            w.key("type")
            w.value(type)
        }
    }

    private func subscribe(_ message: NacosMessage, connection: String) throws -> NacosPayload {
        let service = try Self.service(of: message)
        let clusters = Self.clusters(message.string("clusters"))
        if message.bool("subscribe") ?? true {
            push.subscribe(connection, to: service, clusters: clusters)
        } else {
            push.unsubscribe(connection, from: service)
        }
        let list = registry.list(service: service, clusters: clusters)
        return PayloadCodec.response("SubscribeServiceResponse") { w in
            w.key("message")
            w.value("success")
            w.key("serviceInfo")
            ServiceInfoWriter.write(list, groupedName: false, into: &w)
        }
    }

    private func query(_ message: NacosMessage) throws -> NacosPayload {
        let service = try Self.service(of: message)
        let list = registry.list(
            service: service, clusters: Self.clusters(message.string("cluster")),
            healthyOnly: message.bool("healthyOnly") ?? false)
        return PayloadCodec.response("QueryServiceResponse") { w in
            w.key("serviceInfo")
            ServiceInfoWriter.write(list, groupedName: false, into: &w)
        }
    }

    private func serviceList(_ message: NacosMessage) throws -> NacosPayload {
        let namespace = message.string("namespace").flatMap { $0.isEmpty ? nil : $0 } ?? ServiceKey.defaultNamespace
        let group = message.string("groupName").flatMap { $0.isEmpty ? nil : $0 } ?? ServiceKey.defaultGroup
        let page = max(1, message.int("pageNo") ?? 1)
        let size = min(1000, max(1, message.int("pageSize") ?? 10))
        let (count, names) = registry.serviceNames(namespace: namespace, group: group, page: page, pageSize: size)
        return PayloadCodec.response("ServiceListResponse") { w in
            w.key("count")
            w.value(count)
            w.key("serviceNames")
            w.array { array in
                for name in names { array.value(name) }
            }
        }
    }

    static func clusters(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }
}
